"""The main journey of each user group, in a real browser, with axe-core on every page
(including forms shown with their errors):

- police to clinic: screen a crime-screen hit, record a referral, accept it as a case, put
  it on a clinic agenda, record the Case Analysis Summary, close the meeting, read the
  minutes;
- a clinician completes a SASH assessment;
- a manager working for two agencies switches agency;
- a stale sign-out link shows a page.
"""

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
SAMPLE = Path(__file__).resolve().parents[2] / "static" / "samples" / "crime-screen-sample.csv"


def today():
    return timezone.localdate().strftime("%d/%m/%Y")


def new_person_if_asked(browser):
    """The likely-match step appears only when the people service finds someone similar."""
    if browser.path.rstrip("/").endswith("-match"):
        browser.choose("choice", "new").press("Continue")


def answer_referral_questions(browser, limit=12):
    """Continue through the referral's question pages up to "Check your answers", filling
    only what is empty; returns the names of the fields that came pre-filled."""
    prefilled = set()
    for _ in range(limit):
        if "Check" in browser.heading():
            return prefilled
        new_person_if_asked(browser)
        for name, value in (
            ("received_on", today()),
            ("reason", "Repeated unwanted contact after the relationship ended."),
            ("given_names", "Dale"),
            ("family_name", "Journey" + uuid.uuid4().hex[:6].capitalize()),
        ):
            fields = browser.find_all(f"main [name='{name}']")
            if fields and fields[0].get_attribute("value"):
                prefilled.add(name)
            elif fields:
                browser.fill(name, value)
        for name in ("date_of_birth_not_known",):
            box = browser.find_all(f"main [name='{name}']")
            dob = browser.find_all("main [name='date_of_birth']")
            if box and not box[0].is_selected() and not (dob and dob[0].get_attribute("value")):
                box[0].click()
        if browser.find_all("main [name='sharing_basis']"):
            browser.choose("sharing_basis", "public_task")
        if not browser.find_all("main input[type=radio]:checked") and browser.find_all(
            "main [name='source']"
        ):
            browser.find("main input[name=source]").click()
        browser.press("Continue")
    raise AssertionError(f"no check-your-answers page after {limit} pages: {browser.path}")


def test_police_screen_refer_accept_clinic_cas_close_minutes(browser):

    # Investigator: screen a hit on the daily crime screen.
    browser.sign_in("investigator@northshire.demo")
    browser.click_link("Crime screen")
    browser.click_link("Import the daily search")
    browser.press("Upload and import")  # no file: its error
    assert "There is a problem" in browser.text()
    browser.find("input[type=file]").send_keys(str(SAMPLE))
    browser.press("Upload and import")
    browser.click_link("Crime screen")
    browser.find("main table tbody a").click()
    browser.check()
    browser.click_link("Record screening actions")
    browser.press("Record")  # nothing chosen: the error summary, checked by axe too
    assert "There is a problem" in browser.text()
    browser.choose("kinds", "refer_to_triage")
    browser.press("Record")
    assert "refer to triage clinic" in browser.text().lower()

    # The referral starts from the entry: source, dates, crime and people are pre-filled;
    # the investigator only answers what the crime screen does not hold.
    assert "Record a referral from a police crime" in browser.text()
    prefilled = answer_referral_questions(browser)
    assert {"received_on", "family_name"} <= prefilled, prefilled
    assert "Check" in browser.heading()
    browser.press("Record referral")
    referral_url = browser.path
    assert re.match(r"^/cases/referrals/\d+/$", referral_url), referral_url
    browser.sign_out()

    # The clinic chair screens and accepts it: a case opens.
    browser.sign_in("chair@northshire.demo")
    browser.get(referral_url)
    browser.press("Mark as screened")
    browser.click_link("Decide on this referral")
    browser.press("Record decision")  # no decision chosen
    assert "There is a problem" in browser.text()
    browser.choose("decision", "accepted").fill("decided_on", today())
    browser.press("Record decision")
    case_reference = browser.find("main a[href^='/cases/'][href$='/']").text
    assert case_reference.startswith("NSP-"), case_reference

    # Put the case on a new meeting of the triage clinic, run it, close it.
    browser.click_link("Clinics")
    browser.click_href(r"/clinics/\d+/", text="Northshire stalking triage clinic")
    browser.click_link("Schedule an extra meeting")
    browser.fill("held_on", today()).press("Schedule meeting")
    if "already meets that day" in browser.text():  # a database kept from an earlier run
        day = timezone.localdate()
        browser.click_link("Back").click_link(f"{day:%A} {day.day} {day:%B %Y}")
    browser.click_link("Add a case")
    browser.press("Add")  # no reference: its error
    assert "There is a problem" in browser.text()
    browser.fill("reference", case_reference).press("Add")
    if "already on the agenda" in browser.text():  # the draft agenda took the new case
        browser.click_link("Back")
    browser.press("Start meeting")
    assert case_reference in browser.text()
    # The Case Analysis Summary on the agenda item's own page (the meeting page shows the
    # current item's form only).
    item = browser.driver.execute_script(
        "return [...document.querySelectorAll('tr[id^=agenda-row-]')]"
        ".find(r => r.textContent.includes(arguments[0])).id.replace('agenda-row-', '')",
        case_reference,
    )
    meeting_path = browser.path.split("#")[0]
    browser.get(f"/clinics/agenda-items/{item}/discussion/")
    # What is known comes pre-filled from the crime screen; nothing else chosen: errors.
    assert "From the police crime screen" in browser.field("summary").get_attribute("value")
    browser.press("Save discussion")
    assert "Choose the risk judgement" in browser.text()
    browser.fill("summary", "Contact continues daily; victim has moved address.")
    browser.fill("risk_judgement", "High")
    browser.fill("risk_rationale", "Escalating contact and a recent change of address.")
    browser.fill("decision", "Refer to intervention")
    review = timezone.localdate() + timedelta(days=28)
    browser.fill("next_review_on", review.strftime("%d/%m/%Y"))
    browser.press("Save discussion")
    assert "There is a problem" not in browser.text(), browser.text()[:600]
    browser.get(meeting_path)
    # Closing cannot be undone: a confirmation page lists what was not discussed.
    browser.click_link("Close meeting")
    assert "Close" in browser.heading()
    assert case_reference not in browser.text("#undiscussed")
    browser.press("Close", within="main form")
    browser.click_link("read the minutes")
    assert "Minutes of" in browser.text()
    minutes_url = browser.path
    browser.sign_out()

    # The referring agency (police) reads its version of the minutes: the case is in it.
    browser.sign_in("investigator@northshire.demo")
    browser.get(minutes_url)
    assert case_reference in browser.text()
    assert "Contact continues daily" in browser.text()


ANSWER_EVERY_ITEM = """
const groups = new Map();
for (const radio of document.querySelectorAll('main input[type=radio]')) {
  if (!groups.has(radio.name)) groups.set(radio.name, []);
  groups.get(radio.name).push(radio);
}
let answered = 0;
for (const [name, radios] of groups) {
  if (radios.some(r => r.checked)) continue;
  // The first item says yes (the course of conduct), the rest no: a real, low-ish result.
  const wanted = radios.find(r => r.value === (answered === 0 ? 'yes' : 'no')) || radios[0];
  wanted.click();
  answered += 1;
}
return answered;
"""


def test_clinician_completes_a_sash(browser):
    browser.sign_in("clinician@northshire.demo")
    browser.click_link("Cases")
    browser.find("main table tbody a").click()
    browser.check()
    browser.click_link("Risk")
    browser.click_link("Start")
    browser.press("Start")  # no tool chosen: its error
    assert "There is a problem" in browser.text()
    sash = [
        radio
        for radio in browser.find_all("main input[name=instrument]")
        if "SASH" in browser.find(f"label[for='{radio.get_attribute('id')}']").text
    ]
    assert sash, "the SASH is offered"
    sash[0].click()
    browser.press("Start")
    assert "SASH" in browser.text()

    browser.press("Complete")  # nothing answered: each item says so
    assert "There is a problem" in browser.text()
    answered = browser.driver.execute_script(ANSWER_EVERY_ITEM)
    assert answered >= 10, answered
    browser.press("Complete")
    assert "Assessment complete" in browser.text()
    assert re.search(r"/risk/assessments/\d+/$", browser.path), browser.path
    assert re.search(r"\b(Standard|Low|Medium|High)\b", browser.text())


def test_manager_switches_agency(browser):
    browser.sign_in("manager@northshire.demo")
    before = browser.text(".moj-organisation-switcher")
    browser.click_link("Change")
    browser.find("main input[type=radio]:not(:checked)").click()
    browser.press("Continue")
    after = browser.text(".moj-organisation-switcher")
    assert before != after


def test_a_stale_sign_out_link_shows_a_page(browser):
    browser.sign_in("partner@northshire.demo")
    browser.get("/accounts/sign-out/")
    assert browser.heading() == "Sign out"
    browser.press("Sign out")
    browser.get("/accounts/sign-out/")
    assert browser.heading() == "You are signed out"
