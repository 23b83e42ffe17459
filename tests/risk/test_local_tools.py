"""Local tools built without code, versioning, the wording loader and the DB constraint."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.roles import Role
from audit.models import AccessEvent, Action
from risk import services
from risk.models import Assessment, AssessmentStatus, Instrument, InstrumentVersion
from tests.factories_risk import make_assessment, national_version

SCSQ_ITEMS = [
    ("SCSQ-01", "Repeated unwanted contact", "Behaviour"),
    ("SCSQ-02", "Following or monitoring", "Behaviour"),
    ("SCSQ-03", "Threats made", "Behaviour"),
    ("SCSQ-04", "Victim very frightened", "Impact"),
    ("SCSQ-05", "Changed routine", "Impact"),
]


def _builder_post(items=SCSQ_ITEMS, bands=None, **fields):
    bands = bands or [
        ("Standard", "low", 0, 1, ""),
        ("Elevated", "medium", 2, 3, ""),
        ("High", "high", 4, "", "Discuss at the next clinic"),
    ]
    data = {
        "name": "Stalking case screening questionnaire",
        "code": "scsq",
        "description": "Local screening questionnaire for new referrals.",
        "method": "count_yes",
        "items-TOTAL_FORMS": str(len(items) + 1),
        "items-INITIAL_FORMS": "0",
        "bands-TOTAL_FORMS": str(len(bands)),
        "bands-INITIAL_FORMS": "0",
    }
    for n, (code, label, domain) in enumerate(items):
        data.update(
            {
                f"items-{n}-code": code,
                f"items-{n}-label": label,
                f"items-{n}-scale": "yes_no_not_known",
                f"items-{n}-domain": domain,
            }
        )
    for n, (label, level, low, high, prompt) in enumerate(bands):
        data.update(
            {
                f"bands-{n}-label": label,
                f"bands-{n}-level": level,
                f"bands-{n}-min": low,
                f"bands-{n}-max": high,
                f"bands-{n}-prompt": prompt,
            }
        )
    data.update(fields)
    return data


def test_admin_builds_a_local_tool_and_an_assessor_uses_it(world, client, login):
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    login(admin)
    assert client.get(reverse("risk:instrument-new")).status_code == 200
    response = client.post(reverse("risk:instrument-new"), _builder_post())
    assert response.status_code == 302, response.content.decode()[:3000]
    tool = Instrument.objects.get(code="scsq")
    assert tool.partnership == world.partnership
    version = tool.versions.get()
    definition = version.definition
    assert [s["label"] for s in definition["sections"]] == ["Behaviour", "Impact"]
    assert definition["scoring"]["bands"][2]["max"] is None
    assert AccessEvent.objects.filter(
        action=Action.CREATE, object_type="risk.InstrumentVersion", object_id=str(version.pk)
    ).exists()

    police = world.members[Role.INVESTIGATOR]
    login(police)
    client.post(reverse("risk:assessment-start", args=[world.own_case.pk]), {"instrument": tool.pk})
    assessment = Assessment.objects.get(instrument_version=version)
    answers = {code: "yes" for code, _, _ in SCSQ_ITEMS[:4]}
    answers["SCSQ-05"] = "no"
    response = client.post(
        reverse("risk:assessment-answers", args=[assessment.pk]), {**answers, "complete": "1"}
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.result["score"] == 4
    assert (assessment.level, assessment.result["band_label"]) == ("high", "High")
    assert assessment.result["prompts"][0]["text"] == "Discuss at the next clinic"


def test_builder_errors_are_at_the_fields_and_nothing_is_saved(world, client, login):
    login(world.members[Role.PARTNERSHIP_ADMIN])
    items = [*SCSQ_ITEMS[:2], ("SCSQ-01", "Duplicate", "")]
    bands = [("Low", "low", 0, 1, ""), ("High", "high", 3, "", "")]  # gap at 2
    response = client.post(reverse("risk:instrument-new"), _builder_post(items, bands))
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Item code SCSQ-01 is used twice" in body
    assert 'href="#id_items-2-code"' in body
    assert not Instrument.objects.filter(code="scsq").exists()

    response = client.post(reverse("risk:instrument-new"), _builder_post(SCSQ_ITEMS, bands))
    assert response.status_code == 400
    assert "Band 2 must start at 2" in response.content.decode()
    assert 'href="#id_bands-1-min"' in response.content.decode()

    short = [("Low", "low", 0, 2, "")]  # 5 items: must reach 5
    response = client.post(reverse("risk:instrument-new"), _builder_post(SCSQ_ITEMS, short))
    assert "they must cover scores up to 5" in response.content.decode()

    wrong_method = _builder_post(method="sum")
    response = client.post(reverse("risk:instrument-new"), wrong_method)
    assert response.status_code == 400
    assert "none use it" in response.content.decode()

    # A national code cannot be reused.
    response = client.post(reverse("risk:instrument-new"), _builder_post(code="dash"))
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert not Instrument.objects.filter(partnership=world.partnership).exists()


def test_add_rows_saves_nothing_and_shows_more_rows(world, client, login):
    login(world.members[Role.PARTNERSHIP_ADMIN])
    response = client.post(reverse("risk:instrument-new"), _builder_post(add_rows="1"))
    assert response.status_code == 200
    assert 'name="items-10-code"' in response.content.decode()
    assert not Instrument.objects.filter(code="scsq").exists()


def test_editing_makes_a_new_version_and_old_assessments_keep_theirs(world, client, login):
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    login(admin)
    client.post(reverse("risk:instrument-new"), _builder_post())
    tool = Instrument.objects.get(code="scsq")
    v1 = tool.versions.get()
    police = world.members[Role.INVESTIGATOR]
    old = make_assessment(world.own_case, police, version=v1, status=AssessmentStatus.DRAFT)
    services.assessment_complete(
        actor=police.user,
        membership=police,
        assessment=old,
        answers={code: "yes" for code, _, _ in SCSQ_ITEMS[:2]}
        | {code: "no" for code, _, _ in SCSQ_ITEMS[2:]},
    )
    assert (old.level, old.result["band_label"]) == ("medium", "Elevated")

    edit = reverse("risk:instrument-edit", args=[tool.pk])
    page = client.get(edit).content.decode()
    assert 'value="SCSQ-05"' in page
    # Version 2: stricter bands (2 yes is now high).
    bands = [("Standard", "low", 0, 1, ""), ("High", "high", 2, "", "")]
    data = _builder_post(bands=bands)
    data.pop("code")
    response = client.post(edit, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(tool.versions.values_list("version", flat=True).order_by("version")) == [1, 2]

    old.refresh_from_db()
    assert old.instrument_version_id == v1.pk
    assert (old.level, old.result["band_label"]) == ("medium", "Elevated")
    v1.refresh_from_db()
    assert len(v1.definition["scoring"]["bands"]) == 3
    # A new assessment uses version 2.
    new = services.assessment_start(
        actor=police.user, membership=police, case=world.own_case, instrument=tool
    )
    assert new.instrument_version.version == 2


def test_national_instruments_cannot_be_edited(world, client, login):
    login(world.members[Role.PARTNERSHIP_ADMIN])
    dash = national_version("dash").instrument
    assert client.get(reverse("risk:instrument-edit", args=[dash.pk])).status_code == 404


def test_database_refuses_an_override_without_a_reason(world):
    police = world.members[Role.INVESTIGATOR]
    assessment = make_assessment(world.own_case, police)
    Assessment.objects.filter(pk=assessment.pk).update(
        override_level="high", override_reason="Reason"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=assessment.pk).update(override_reason="")


def test_service_refuses_an_override_without_a_reason(world):
    from django.core.exceptions import ValidationError

    police = world.members[Role.INVESTIGATOR]
    assessment = make_assessment(world.own_case, police, version=national_version("sash"))
    with pytest.raises(ValidationError) as error:
        services.assessment_override(
            actor=police.user,
            membership=police,
            assessment=assessment,
            override_level="high",
            override_reason="   ",
        )
    assert "override_reason" in error.value.message_dict


def test_wording_loader_validates_codes_and_loads(world, tmp_path):
    good = tmp_path / "wording.json"
    good.write_text(
        json.dumps(
            [
                {"instrument": "dash", "wording": {"DASH-01": "Licensed text one."}},
                {"instrument": "srp", "version": 1, "wording": {"SRP-VIO": "Licensed text."}},
            ]
        )
    )
    call_command("load_instrument_wording", str(good))
    assert national_version("dash").item_wording == {"DASH-01": "Licensed text one."}
    assert national_version("srp").item_wording == {"SRP-VIO": "Licensed text."}

    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            [
                {"instrument": "sash", "wording": {"SASH-01": "Fine."}},
                {"instrument": "dash", "wording": {"DASH-99": "No such item."}},
            ]
        )
    )
    with pytest.raises(CommandError, match="DASH-99"):
        call_command("load_instrument_wording", str(bad))
    # All or nothing: the valid first entry was not kept.
    assert national_version("sash").item_wording == {}

    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps({"instrument": "nope", "wording": {}}))
    with pytest.raises(CommandError, match="no instrument"):
        call_command("load_instrument_wording", str(missing))


def test_loaded_wording_shows_on_the_answer_page(world, client, login):
    version = national_version("dash")
    services.load_wording(version=version, wording={"DASH-03": "Licensed question three?"})
    police = world.members[Role.INVESTIGATOR]
    draft = make_assessment(world.own_case, police, status=AssessmentStatus.DRAFT)
    login(police)
    body = client.get(reverse("risk:assessment-answers", args=[draft.pk])).content.decode()
    assert "Licensed question three?" in body
    assert InstrumentVersion.objects.get(pk=version.pk).item_wording["DASH-03"]


def test_psychometric_wording_loads_through_the_same_loader(world, tmp_path):
    wording = tmp_path / "aaq.json"
    wording.write_text(json.dumps({"instrument": "aaq-ii", "wording": {"AAQ2-01": "Licensed."}}))
    call_command("load_instrument_wording", str(wording))
    assert national_version("aaq-ii").item_wording == {"AAQ2-01": "Licensed."}


def test_a_psychometric_measure_cannot_be_started_as_a_risk_assessment(world):
    police = world.members[Role.INVESTIGATOR]
    with pytest.raises(ValidationError) as error:
        services.assessment_start(
            actor=police.user,
            membership=police,
            case=world.own_case,
            instrument=national_version("aaq-ii").instrument,
        )
    assert error.value.message_dict == {"instrument": ["Choose an instrument."]}
    assert not Assessment.objects.exists()
