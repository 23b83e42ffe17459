"""Demo risk records: completed DASH, SASH and SRP assessments with history on the demo
partnership's cases, an override, a draft, and one local tool (a stalking case screening
questionnaire) built as data. Everything goes through the services, so scoring and audit
rows are real."""

from datetime import timedelta

from django.utils import timezone

from accounts.roles import Role
from cases.models import Case
from risk import services
from risk.models import Instrument

SCSQ_DEFINITION = {
    "schema": 1,
    "about": "Local screening questionnaire completed at referral by any practitioner.",
    "local": True,
    "sections": [
        {
            "code": "behaviour",
            "label": "Behaviour",
            "items": [
                {"code": "SCSQ-01", "label": "Repeated unwanted contact", "scale": "zero_to_three"},
                {"code": "SCSQ-02", "label": "Following or monitoring", "scale": "zero_to_three"},
                {"code": "SCSQ-03", "label": "Threats", "scale": "zero_to_three"},
            ],
        },
        {
            "code": "impact",
            "label": "Impact",
            "items": [
                {"code": "SCSQ-04", "label": "Fear", "scale": "zero_to_three"},
                {"code": "SCSQ-05", "label": "Changes to daily life", "scale": "zero_to_three"},
            ],
        },
    ],
    "scoring": {
        "method": "sum",
        "bands": [
            {"code": "standard", "label": "Standard", "level": "low", "min": 0, "max": 5},
            {"code": "elevated", "label": "Elevated", "level": "medium", "min": 6, "max": 10},
            {
                "code": "high",
                "label": "High",
                "level": "high",
                "min": 11,
                "max": 15,
                "prompts": [{"code": "prompt", "text": "Bring to the next triage clinic."}],
            },
        ],
    },
}


def _yes(prefix, count, total, start=1):
    return {
        f"{prefix}-{n:02d}": ("yes" if n - start < count else "no")
        for n in range(start, start + total)
    }


def _assess(member, case, code, answers, days_ago, **extra):
    instrument = Instrument.objects.get(partnership=None, code=code)
    assessment = services.assessment_start(
        actor=member.user, membership=member, case=case, instrument=instrument
    )
    return services.assessment_complete(
        actor=member.user,
        membership=member,
        assessment=assessment,
        answers=answers,
        today=timezone.localdate() - timedelta(days=days_ago),
        **extra,
    )


def _shared_with(partnership, agency):
    return list(
        Case.objects.filter(partnership=partnership, case_agencies__agency=agency).order_by("pk")
    )


def seed(*, partnership, agencies, members):
    """Demo records for this area on the demo partnership's cases."""
    police, health = members[Role.INVESTIGATOR], members[Role.CLINICIAN]
    police_cases = _shared_with(partnership, police.agency)
    health_cases = [c for c in _shared_with(partnership, health.agency) if c in police_cases]
    if not police_cases or not health_cases:
        return

    # A case whose risk rose over six months: DASH standard, then medium, SASH high, SRP.
    case = health_cases[0]
    _assess(police, case, "dash", _yes("DASH", 8, 27), 180)
    _assess(police, case, "dash", _yes("DASH", 11, 27), 90)
    sash = {"SASH-EP": "yes", **_yes("SASH", 7, 13), **_yes("SASH", 2, 3, start=14)}
    _assess(health, case, "sash", sash, 60)
    _assess(
        health,
        case,
        "srp",
        {
            "SRP-TYPE": ["rejected"],
            "SRP-REL": "ex_intimate",
            "SRP-VIO": "moderate",
            "SRP-VIO-Q": "If the family court refuses contact.",
            "SRP-PER": "high",
            "SRP-PER-Q": "Over two years, undeterred by arrest.",
            "SRP-REC": "high",
            "SRP-PSY": "moderate",
        },
        30,
        # Due at next week's clinic: the clinician's home page lists it.
        review_due_on=timezone.localdate() + timedelta(days=7),
    )

    others = [c for c in police_cases if c != case]
    # Professional judgement raised a medium DASH to high.
    if others:
        _assess(
            police,
            others[0],
            "dash",
            _yes("DASH", 12, 27),
            45,
            override_level="high",
            override_reason="Threats to kill made after the checklist; victim moved out.",
        )
    # A standard DASH, and a draft started before the next clinic.
    if len(others) > 1:
        _assess(police, others[1], "dash", _yes("DASH", 4, 27), 20)
        draft = services.assessment_start(
            actor=police.user,
            membership=police,
            case=others[1],
            instrument=Instrument.objects.get(partnership=None, code="s-dash"),
        )
        services.assessment_save_answers(
            actor=police.user,
            membership=police,
            assessment=draft,
            answers=_yes("SDASH", 3, 6),
        )

    scsq = services.instrument_create(
        actor=members[Role.PARTNERSHIP_ADMIN].user,
        membership=members[Role.PARTNERSHIP_ADMIN],
        code="scsq",
        name="Stalking case screening questionnaire",
        description=SCSQ_DEFINITION["about"],
        definition=SCSQ_DEFINITION,
    )
    if len(health_cases) > 1:
        assessment = services.assessment_start(
            actor=health.user, membership=health, case=health_cases[1], instrument=scsq
        )
        services.assessment_complete(
            actor=health.user,
            membership=health,
            assessment=assessment,
            answers={
                "SCSQ-01": "3",
                "SCSQ-02": "2",
                "SCSQ-03": "1",
                "SCSQ-04": "3",
                "SCSQ-05": "2",
            },
            today=timezone.localdate() - timedelta(days=10),
        )
