"""Referrals: one row per referral received, with its source as in use on the day received,
the partnership agency that made it, its people and case (loaded first) and, for a
historic referral, the decision made on it and the day it was made."""

from datetime import datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Agency
from cases.models import CodeList, Referral, ReferralStatus
from cases.models.referral import OUTCOMES

from .base import Column
from .related import StoredChecks, born_after

# Decisions that need a reason, as when they are made here (withdrawal too).
REASONED = {
    ReferralStatus.NOT_STALKING,
    ReferralStatus.NOT_APPLICABLE,
    ReferralStatus.DECLINED,
    ReferralStatus.WITHDRAWN,
}
DECIDED_ON = "decided_on"  # a column, stored as decided_at (midday of that day)


class ReferralsKind(StoredChecks):
    name = "referrals"
    label = "Referrals"
    model = Referral
    people_fields = ("perpetrator", "victim")
    event_date = "received_on"
    columns = (
        Column("received_on", "Date received", type="date", required=True, aliases=("received",)),
        Column(
            "source",
            "Referral source",
            type="code",
            code_list=CodeList.REFERRAL_SOURCE,
            date_from="received_on",
            required=True,
        ),
        Column(
            "referring_agency",
            "Referring agency",
            type="choice",
            required=True,
            aliases=("agency", "referrer"),
        ),
        Column("reason", "Reason for referral", required=True, max_length=10_000),
        Column("case", "Case (their case id)", type="ref", ref="cases.Case"),
        Column("perpetrator", "Perpetrator (their person id)", type="ref", ref="cases.Person"),
        Column("victim", "Victim (their person id)", type="ref", ref="cases.Person"),
        Column(
            "decision",
            "Decision",
            type="choice",
            choices=tuple((outcome.value, outcome.label) for outcome in OUTCOMES),
        ),
        Column(DECIDED_ON, "Date decided", type="date"),
        Column("decision_reason", "Reason for the decision", max_length=5000),
    )

    def choices_of(self, column):
        if column.name != "referring_agency":
            return column.choices
        if not hasattr(self, "_agencies"):  # asked for every row: one query per kind
            self._agencies = list(
                Agency.objects.filter(partnership_id=self.partnership_id)
                .order_by("name")
                .values_list("pk", "name")
            )
        return self._agencies

    def row_errors(self, values):
        errors = {}
        received_on, decision = values["received_on"], values["decision"]
        decided_on = values[DECIDED_ON]
        if decision and not decided_on:
            errors[DECIDED_ON] = "Give the date the decision was made."
        elif decided_on and not decision:
            errors["decision"] = "Give the decision made on that date."
        elif decided_on and decided_on < received_on:
            errors[DECIDED_ON] = (
                f"The decision cannot be before the referral was received "
                f"({received_on:%-d %B %Y})."
            )
        if decision in REASONED and not values["decision_reason"]:
            errors["decision_reason"] = "Give the reason for this decision."
        if decision == ReferralStatus.ACCEPTED and not values["case"]:
            errors["case"] = "An accepted referral joins a case: give the case's id."
        return errors

    def stored_errors(self, values, facts):
        errors = {}
        for name in self.people_fields:
            if values[name]:
                problem = born_after(
                    facts.born.get(values[name]), values["received_on"], "the referral"
                )
                if problem:
                    errors[name] = problem
        return errors

    # decided_on is not a model field: it is the day of decided_at.

    def field_names(self):
        return [column.name for column in self.columns if column.name != DECIDED_ON]

    def snapshot(self, record):
        data = super().snapshot(record)
        data[DECIDED_ON] = _day(record.decided_at)
        # Kept so that a referral screened here after the import is not rolled back.
        data["screened_at"] = (
            timezone.localtime(record.screened_at).isoformat() if record.screened_at else None
        )
        return data

    def differs(self, record, values):
        decided_on = values[DECIDED_ON]
        return super().differs(record, values) or _day(record.decided_at) != (
            decided_on.isoformat() if decided_on else None
        )

    def assign(self, record, values):
        super().assign(record, values)
        decided_on = values[DECIDED_ON]
        if decided_on is None:
            record.decided_at = record.decided_by = None
            return
        if _day(record.decided_at) != decided_on.isoformat():
            record.decided_at = _midday(decided_on)
            record.decided_by = self.actor
        # A decision follows a screening: an imported one was screened by then at the latest.
        if record.screened_at is None or record.screened_at > record.decided_at:
            record.screened_at = record.decided_at
            record.screened_by = record.screened_by or self.actor

    def restore(self, record, before):
        before = dict(before)
        decided_on = before.pop(DECIDED_ON, None)
        screened_at = before.pop("screened_at", None)
        if decided_on is None:
            record.decided_at = record.decided_by = None
        elif _day(record.decided_at) != decided_on:
            record.decided_at = _midday(datetime.fromisoformat(decided_on).date())
            record.decided_by = record.decided_by or self.actor
        record.screened_at = parse_datetime(screened_at) if screened_at else None
        if record.screened_at is None:
            record.screened_by = None
        super().restore(record, before)


def _midday(day):
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def _day(moment):
    return timezone.localtime(moment).date().isoformat() if moment else None
