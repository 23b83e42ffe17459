"""The compartment in every output (issue 11 item 7): a marker placed in a contact summary,
a need, a safety plan item, a target-hardening provider and a risk update disclosed to
another agency never reaches a police, health, probation, chair or break-glass reader, on
any case page, the case API, search, clinic minutes (HTML and PDF) or the audit export; a
disclosed update reaches exactly the chosen agencies."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.roles import Role
from advocacy.models import Channel, Direction, LawfulBasis, NeedArea
from advocacy.services import disclosures as disclosure_services
from advocacy.services import episodes as episode_services
from advocacy.services import safety as safety_services
from audit.services import break_glass_open
from cases.views.record import SECTIONS
from tests.factories import add_party, open_case
from tests.factories_advocacy import start_episode
from tests.factories_triage import CaseDiscussionFactory, ClinicFactory, MeetingFactory
from triage.models import MeetingStatus

pytestmark = pytest.mark.django_db

CONTACT = "Wombatcontact"
NEED = "Immigration"  # the need's label: coded, so its label is the marker
PLAN = "Wombatplanitem"
PROVIDER = "Wombatprovider"
HIDDEN = "Wombathiddenupdate"  # disclosed to health only
SHARED = "Wombatsharedupdate"  # disclosed to police only
COMPARTMENT = (CONTACT, PLAN, PROVIDER)

READERS = ("police", "health", "probation", "chair", "break_glass")
# The update each reader's agency received (the world's clinic chair is a health member).
RECEIVED = {"police": SHARED, "health": HIDDEN, "chair": HIDDEN}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def held(world):
    police = world.members[Role.INVESTIGATOR]
    agencies = [world.agencies[k] for k in ("health", "advocacy", "probation")]
    case = open_case(police, shared_with=agencies, summary="Quiet case summary.")
    perpetrator = add_party(case, role="perpetrator")
    advocate = world.members[Role.ADVOCATE]
    episode = start_episode(
        advocate,
        case,
        referred_on=timezone.localdate() - timedelta(days=10),
        needs=[NeedArea.IMMIGRATION],
    )
    write = {"actor": advocate.user, "membership": advocate, "episode": episode}
    episode_services.contact_log(
        **write,
        at=timezone.now() - timedelta(hours=1),
        channel=Channel.PHONE,
        direction=Direction.OUTGOING,
        made=True,
        summary=CONTACT,
    )
    safety_services.safety_plan_save(
        **write,
        review_on=timezone.localdate() + timedelta(days=30),
        items=[{"text": PLAN, "owner": "victim"}],
    )
    safety_services.measure_record(
        **write,
        kind="personal_alarm",
        requested_on=timezone.localdate() - timedelta(days=2),
        provided_on=timezone.localdate(),
        provider=PROVIDER,
    )
    for text, agency in ((HIDDEN, "health"), (SHARED, "police")):
        disclosure_services.risk_update_submit(
            **write,
            what_changed=text,
            new_incidents=f"{text} incident",
            risk_level="high",
            urgency="routine",
            lawful_basis=LawfulBasis.SAFEGUARDING,
            recipient_ids=[world.agencies[agency].pk],
        )
    return episode, perpetrator


def _reader(world, key, case):
    if key == "break_glass":
        partner = world.members[Role.PARTNER]  # the CPS: the case is not shared with it
        break_glass_open(
            actor=partner.user, membership=partner, case=case, reason="Urgent check tonight"
        )
        return partner
    role = {
        "police": Role.INVESTIGATOR,
        "health": Role.CLINICIAN,
        "probation": Role.PROBATION_OFFICER,
        "chair": Role.CLINIC_CHAIR,
    }[key]
    return world.members[role]


def _outputs(client, case, person):
    """Every output a case reader can reach: each section page, the case API, searches."""
    urls = [reverse(name, args=[case.pk]) for _key, _title, name in SECTIONS]
    urls += [
        reverse("api:case-detail", args=[case.pk]),
        reverse("api:case-party-list", kwargs={"case_pk": case.pk}),
        reverse("api:case-record-detail", args=[case.pk]),
        reverse("api:case-record-timeline", args=[case.pk]),
        reverse("api:advocacy-case-risk-update-list", kwargs={"case_pk": case.pk}),
        reverse("cases:list") + f"?search={person.family_name}",
        reverse("cases:list") + f"?search={CONTACT}",
        reverse("api:case-list") + f"?search={person.family_name}",
        reverse("cases:person-list") + f"?q={person.family_name}",
        reverse("cases:person-detail", args=[person.pk]),
        reverse("api:person-detail", args=[person.pk]),
    ]
    bodies = {}
    for url in urls:
        response = client.get(url)
        if response.status_code == 200:
            bodies[url] = response.content.decode()
    return bodies


@pytest.mark.parametrize("reader", READERS)
def test_no_reader_outside_the_agency_gets_the_compartment(world, held, client, login, reader):
    episode, _ = held
    case = episode.case
    member = _reader(world, reader, case)
    login(member)
    bodies = _outputs(client, case, episode.victim.person)
    assert reverse("cases:detail", args=[case.pk]) in bodies  # they do read the case
    assert reverse("cases:timeline", args=[case.pk]) in bodies
    for url, body in bodies.items():
        for marker in COMPARTMENT:
            assert marker not in body, (reader, url, marker)
        assert NEED not in body, (reader, url)
    # Each disclosed update reaches exactly the members of the agency chosen for it.
    for update in (SHARED, HIDDEN):
        seen = any(update in body for body in bodies.values())
        assert seen is (RECEIVED.get(reader) == update), (reader, update)


def test_the_chosen_agencies_see_the_update_in_its_section_timeline_and_api(
    world, held, client, login
):
    episode, _ = held
    case = episode.case
    for role, marker, other in (
        (Role.INVESTIGATOR, SHARED, HIDDEN),
        (Role.POLICE_SUPERVISOR, SHARED, HIDDEN),
        (Role.CLINICIAN, HIDDEN, SHARED),
    ):
        login(world.members[role])
        for url in (
            reverse("advocacy:case-risk-updates", args=[case.pk]),
            reverse("cases:timeline", args=[case.pk]),
            reverse("api:case-record-timeline", args=[case.pk]),
            reverse("api:advocacy-case-risk-update-list", kwargs={"case_pk": case.pk}),
        ):
            body = client.get(url).content.decode()
            assert marker in body and other not in body, (role, url)


def _pdf_text(response):
    data = b"".join(response.streaming_content)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("reader", ("police", "health", "probation", "chair"))
def test_clinic_minutes_carry_none_of_it(world, held, client, login, reader):
    episode, _ = held
    chair = world.members[Role.CLINIC_CHAIR]
    agencies = [world.agencies[k] for k in ("police", "health", "advocacy", "probation")]
    clinic = ClinicFactory(partnership=world.partnership, chair=chair.user, agencies=agencies)
    meeting = MeetingFactory(
        clinic=clinic,
        held_on=timezone.localdate() - timedelta(days=1),
        status=MeetingStatus.CLOSED,
        closed_at=timezone.now(),
        closed_by=chair.user,
    )
    CaseDiscussionFactory(
        case=episode.case, meeting=meeting, recorded_by=chair.user, summary="Minutesmarker"
    )
    login(_reader(world, reader, episode.case))
    html = client.get(reverse("triage:meeting-minutes", args=[meeting.pk])).content.decode()
    pdf = _pdf_text(client.get(reverse("triage:meeting-minutes-pdf", args=[meeting.pk])))
    assert "Minutesmarker" in html and "Minutesmarker" in pdf  # the case is in them
    for text in (html, pdf):
        for marker in (*COMPARTMENT, HIDDEN, SHARED):
            assert marker not in text, (reader, marker)


def test_the_audit_export_names_disclosures_but_carries_no_content(world, held, client, login):
    login(world.members[Role.PARTNERSHIP_ADMIN])
    response = client.get(reverse("audit:export"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "Disclosed" in body
    for marker in (*COMPARTMENT, HIDDEN, SHARED):
        assert marker not in body, marker
