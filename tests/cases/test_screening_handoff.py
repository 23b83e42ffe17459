"""A crime-screen hit becomes a referral (question pages filled in from the crime, the
people through the likely-match pages) or joins an existing case; nothing typed twice,
and the crime ends up linked to the case."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import CrimeScreenEntry, Person, Referral, ScreeningAction, ScreeningActionKind
from tests.factories_people import person_in_case
from tests.factories_screening import CrimeScreenEntryFactory


def _step(name):
    return reverse("cases:referral-step", args=[name])


def _entry(world, **fields):
    fields.setdefault("suspect_name", "KELLAWAY, Arthur James")
    fields.setdefault("suspect_date_of_birth", date(1980, 2, 18))
    fields.setdefault("suspect_gender", "male")
    fields.setdefault("victim_name", "Isla Brimble")
    fields.setdefault("victim_date_of_birth", date(1990, 11, 21))
    fields.setdefault("stalking_started_on", date(2026, 1, 5))
    return CrimeScreenEntryFactory(partnership=world.partnership, **fields)


def _continue(client, step):
    """Submit a question page exactly as it was shown (its filled-in values)."""
    form = client.get(_step(step)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v not in (None, False, "")}
    response = client.post(_step(step), data)
    assert response.status_code == 302, response.context["form"].errors
    return response["Location"]


def test_a_referral_from_a_crime_is_filled_in_and_linked_through_acceptance(client, login, world):
    entry = _entry(world)
    known = person_in_case(
        world.own_case,
        given_names="Arthur",
        family_name="Kellaway",
        date_of_birth=date(1980, 2, 18),
    )
    login(world.members[Role.INVESTIGATOR])
    start = client.get(reverse("screening:entry-refer", args=[entry.pk]))
    assert start["Location"] == _step("source")
    # Every question shows the crime's values; the investigator only checks them.
    assert client.get(_step("source")).context["form"]["source"].value() is not None
    received = client.get(_step("received")).context["form"]["received_on"].value()
    assert received == f"{timezone.localdate():%-d/%-m/%Y}"
    reason = client.get(_step("reason")).context["form"]["reason"].value()
    assert entry.crime_reference in reason and "5 January 2026" in reason
    assert entry.summary in reason
    perpetrator = client.get(_step("perpetrator")).context["form"]
    assert perpetrator["given_names"].value() == "Arthur James"
    assert perpetrator["family_name"].value() == "Kellaway"
    assert perpetrator["date_of_birth"].value() == "18/2/1980"
    for step in ("source", "received", "reason"):
        _continue(client, step)
    # The suspect goes through the usual likely-match page.
    assert _continue(client, "perpetrator") == _step("perpetrator-match")
    page = client.get(_step("perpetrator-match")).content.decode()
    assert "Use Arthur Kellaway as the perpetrator" in page
    client.post(_step("perpetrator-match"), {"choice": known.pk})
    assert client.get(_step("victim")).context["form"]["family_name"].value() == "Brimble"
    _continue(client, "victim")
    client.post(_step("sharing"), {"sharing_basis": "public_task"})
    check = client.get(reverse("cases:referral-check"))
    assert check.status_code == 200
    assert entry.crime_reference in check.content.decode()
    people = Person.objects.count()
    client.post(reverse("cases:referral-check"))
    referral = Referral.objects.get()
    assert referral.crime_screen_entry == entry
    assert referral.perpetrator == known
    assert referral.victim.family_name == "Brimble" and Person.objects.count() == people + 1
    # The crime is screened with a "refer to triage clinic" action pointing at it.
    action = ScreeningAction.objects.get(entry=entry)
    assert (action.kind, action.referral) == (ScreeningActionKind.REFER_TO_TRIAGE, referral)
    entry.refresh_from_db()
    assert entry.screened_at is not None and entry.case is None
    page = client.get(reverse("screening:entry", args=[entry.pk])).content.decode()
    assert reverse("cases:referral-detail", args=[referral.pk]) in page
    # Accepted into a new case: the crime is linked to it.
    today = f"{timezone.localdate():%d/%m/%Y}"
    client.post(
        reverse("cases:referral-screen", args=[referral.pk]), {"note": "", "screened_on": today}
    )
    client.post(
        reverse("cases:referral-decide", args=[referral.pk]),
        {"decision": "accepted", "decided_on": today},
    )
    referral.refresh_from_db()
    entry.refresh_from_db()
    assert referral.case is not None and entry.case == referral.case
    assert AccessEvent.objects.filter(
        action=Action.UPDATE,
        object_type="cases.CrimeScreenEntry",
        object_id=str(entry.pk),
        detail__linked_case=referral.case.reference,
    ).exists()


def test_the_refer_to_triage_action_goes_straight_on_to_the_referral(client, login, world):
    entry = _entry(world, suspect_name="", suspect_date_of_birth=None)
    login(world.members[Role.POLICE_SUPERVISOR])
    response = client.post(
        reverse("screening:entry-actions", args=[entry.pk]),
        {"kinds": ["refer_to_triage"], "acted_on": f"{timezone.localdate():%d/%m/%Y}"},
    )
    action = ScreeningAction.objects.get(entry=entry)
    assert response["Location"] == (
        reverse("screening:entry-refer", args=[entry.pk]) + f"?action={action.pk}"
    )
    assert client.get(response["Location"])["Location"] == _step("source")
    # An unknown suspect stays "not known" (both names blank).
    assert client.get(_step("perpetrator")).context["form"]["family_name"].value() in ("", None)
    for step in ("source", "received", "reason", "perpetrator", "victim"):
        _continue(client, step)
    client.post(_step("victim-match"), {"choice": "new"})
    client.post(_step("sharing"), {"sharing_basis": "public_task"})
    client.post(reverse("cases:referral-check"))
    referral = Referral.objects.get()
    assert referral.perpetrator is None and referral.crime_screen_entry == entry
    # The action it came from points at the referral; no second action.
    assert list(ScreeningAction.objects.filter(entry=entry)) == [action]
    action.refresh_from_db()
    assert action.referral == referral


def test_a_crime_is_added_to_an_existing_case(client, login, world):
    entry = _entry(world)
    login(world.members[Role.INVESTIGATOR])
    page = client.get(reverse("screening:entry", args=[entry.pk])).content.decode()
    assert "Add to an existing case" in page and "Refer to the triage clinic" in page
    response = client.post(
        reverse("screening:entry-link-case", args=[entry.pk]), {"case": world.own_case.reference}
    )
    assert response.status_code == 302
    assert CrimeScreenEntry.objects.get(pk=entry.pk).case == world.own_case


def test_only_screeners_start_a_referral_from_a_crime(client, login, world):
    entry = _entry(world)
    login(world.members[Role.ADVOCATE])
    assert client.get(reverse("screening:entry-refer", args=[entry.pk])).status_code == 403
    assert not Referral.objects.exists()


def _api(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_api_links_a_crime_to_a_case(client, login, world):
    entry = _entry(world)
    login(world.members[Role.INVESTIGATOR])
    url = reverse("api:screening-entry-link-case", args=[entry.pk])
    refused = _api(client, url, {"case": "NO-SUCH-CASE"})
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"case": ["No case you can see has that reference."]}
    response = _api(client, url, {"case": world.own_case.reference})
    assert response.status_code == 200
    assert CrimeScreenEntry.objects.get(pk=entry.pk).case == world.own_case
    assert _api(client, url, {"case": ""}).status_code == 200
    assert CrimeScreenEntry.objects.get(pk=entry.pk).case is None


def test_api_creates_a_referral_from_a_crime(client, login, world):
    entry = _entry(world, victim_date_of_birth=None)
    known = person_in_case(world.own_case, given_names="Arthur", family_name="Kellaway")
    login(world.members[Role.INVESTIGATOR])
    url = reverse("api:screening-entry-referral", args=[entry.pk])
    # The victim's date of birth is not on the crime: asked for at the field.
    refused = _api(client, url, {"perpetrator": {"id": known.pk}})
    assert refused.status_code == 400
    assert "date_of_birth" in refused.json()["errors"]["victim"]
    assert not Referral.objects.exists()
    victim = {"given_names": "Isla", "family_name": "Brimble", "date_of_birth_not_known": True}
    response = _api(
        client,
        url,
        {"perpetrator": {"id": known.pk}, "victim": victim, "sharing_basis": "public_task"},
    )
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert referral.crime_screen_entry == entry and referral.perpetrator == known
    assert referral.source.code == "police" and referral.received_on == timezone.localdate()
    assert entry.crime_reference in referral.reason
    assert ScreeningAction.objects.get(entry=entry).referral == referral
