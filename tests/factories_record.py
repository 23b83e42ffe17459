"""Factories for the case record: orders, breaches, outcomes, re-offending, linked crimes
and local reference codes. Rows are made directly (fast); services are tested on their own."""

import itertools
from datetime import date, timedelta

from django.utils import timezone

from cases.models import (
    CodeList,
    CriminalJusticeOutcome,
    OrderBreach,
    OrderDecision,
    OrderKind,
    ProtectiveOrder,
    ReferenceCode,
    ReoffendingEvent,
)
from cases.models.screening import CrimeScreenEntry
from tests.factories import PersonFactory

_seq = itertools.count(1)


def national(code_list, code):
    return ReferenceCode.objects.get(partnership=None, code_list=code_list, code=code, version=1)


def local_code(partnership, code_list=CodeList.CLOSURE_REASON, code=None, label=None, **kwargs):
    n = next(_seq)
    return ReferenceCode.objects.create(
        partnership=partnership,
        code_list=code_list,
        code=code or f"local_{n}",
        label=label or f"Local reason {n}",
        effective_from=kwargs.pop("effective_from", date(2024, 1, 1)),
        **kwargs,
    )


def _created_by(case):
    return case.created_by


def make_order(case, *, subject=None, decision=OrderDecision.GRANTED, **kwargs):
    today = timezone.localdate()
    applied = kwargs.pop("applied_on", today - timedelta(days=30))
    decided = kwargs.pop("decided_on", applied + timedelta(days=7))
    return ProtectiveOrder.objects.create(
        case=case,
        subject=subject or PersonFactory(partnership=case.partnership),
        kind=kwargs.pop("kind", OrderKind.SPO_FULL),
        applied_on=applied,
        decision=decision,
        decided_on=decided if decision != OrderDecision.PENDING else None,
        created_by=_created_by(case),
        **kwargs,
    )


def make_breach(order, **kwargs):
    return OrderBreach.objects.create(
        order=order,
        occurred_on=kwargs.pop("occurred_on", timezone.localdate() - timedelta(days=1)),
        created_by=order.created_by,
        **kwargs,
    )


def make_outcome(case, *, person=None, code="1", **kwargs):
    return CriminalJusticeOutcome.objects.create(
        partnership=case.partnership,
        case=case,
        person=person or PersonFactory(partnership=case.partnership),
        outcome=national(CodeList.OUTCOME, code),
        outcome_on=kwargs.pop("outcome_on", timezone.localdate() - timedelta(days=2)),
        created_by=_created_by(case),
        **kwargs,
    )


def make_reoffending(case, *, perpetrator=None, **kwargs):
    return ReoffendingEvent.objects.create(
        partnership=case.partnership,
        case=case,
        perpetrator=perpetrator or PersonFactory(partnership=case.partnership),
        occurred_on=kwargs.pop("occurred_on", timezone.localdate() - timedelta(days=3)),
        victim=kwargs.pop("victim", "same"),
        source=kwargs.pop("source", "police_report"),
        created_by=_created_by(case),
        **kwargs,
    )


def make_crime(case, *, same_course_as=None, offence="008/66", **kwargs):
    n = next(_seq)
    return CrimeScreenEntry.objects.create(
        partnership=case.partnership,
        crime_reference=kwargs.pop("crime_reference", f"CR/{n:05d}/26"),
        recorded_on=kwargs.pop("recorded_on", timezone.localdate() - timedelta(days=n % 20)),
        offence=national(CodeList.OFFENCE, offence),
        summary=kwargs.pop("summary", f"Police-only summary {n}"),
        suspect_name=kwargs.pop("suspect_name", f"Suspect {n}"),
        case=case,
        same_course_as=same_course_as,
        row_hash=f"hash{n}",
        **kwargs,
    )
