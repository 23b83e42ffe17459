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


def test_police_screen_refer_accept_clinic_cas_close_minutes(browser):
    family = "Journey" + uuid.uuid4().hex[:6].capitalize()

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
    assert "Refer to triage clinic" in browser.text()

    # Record the referral on the question pages (one page shown with its error).
    browser.click_link("Referrals")
    browser.click_link("Record a referral")
    browser.find("main input[name=source]").click()
    browser.press("Continue")
    browser.press("Continue")  # the received date left blank
    assert "There is a problem" in browser.text()
    browser.fill("received_on", today()).press("Continue")
    browser.fill("reason", "Repeated unwanted contact after the relationship ended.")
    browser.press("Continue")
    browser.fill("given_names", "Dale").fill("family_name", family)
    browser.find("[name=date_of_birth_not_known]").click()
    browser.press("Continue")
    new_person_if_asked(browser)
    browser.fill("given_names", "Erin").fill("family_name", family + "v")
    browser.find("[name=date_of_birth_not_known]").click()
    browser.press("Continue")
    new_person_if_asked(browser)
    browser.choose("sharing_basis", "public_task")
    browser.press("Continue")
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
    browser.press("Save discussion")  # empty CAS: its errors
    assert "Enter what is known" in browser.text()
    browser.fill("summary", "Contact continues daily; victim has moved address.")
    browser.fill("risk_judgement", "High")
    browser.fill("decision", "Refer to intervention")
    browser.press("Save discussion")
    browser.get(meeting_path)
    browser.press("Close meeting")
    if "Close" in browser.heading():  # a confirmation page
        browser.press("Close")
    browser.click_link("read the minutes")
    assert "Minutes of" in browser.text()
    minutes_url = browser.path
    browser.sign_out()

    # The referring agency (police) reads its version of the minutes: the case is in it.
    browser.sign_in("investigator@northshire.demo")
    browser.get(minutes_url)
    assert case_reference in browser.text()
    assert "Contact continues daily" in browser.text()


def test_clinician_completes_a_sash(browser):
    browser.sign_in("clinician@northshire.demo")
    browser.click_link("Cases")
    browser.find("main table tbody a").click()
    browser.check()
    browser.click_link("Risk")
    browser.click_link("Start")
    browser.press("Start")
    assert browser.heading()


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
