"""Victim advocacy support episodes: one row per period of support for a victim of a case
(cases and people loaded first) by one of the partnership's advocacy agencies. Only the
episode is brought in: no allocations, needs or contacts, and no advocate (historic)."""

from datetime import datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Agency
from accounts.roles import AgencyKind
from advocacy.models import ClosureReason, ReferralRoute, SupportEpisode
from cases.models import CaseParty, PartyRole

from .base import Column
from .related import StoredChecks

# A column, stored as first_contact_made_at (midday of that day).
FIRST_CONTACT_ON = "first_contact_made_on"
LATER_DATES = (
    (FIRST_CONTACT_ON, "First contact"),
    ("support_consent_on", "Consent to support"),
    ("closed_on", "The closure"),
)


class AdvocacyEpisodesKind(StoredChecks):
    name = "advocacy_episodes"
    label = "Victim advocacy support episodes"
    model = SupportEpisode
    case_field = "case"
    people_fields = ("victim",)
    event_date = "referred_on"
    columns = (
        Column("case", "Case (their case id)", type="ref", ref="cases.Case", required=True),
        Column("victim", "Victim (their person id)", type="ref", ref="cases.Person", required=True),
        Column(
            "advocacy_agency",
            "Advocacy agency",
            type="choice",
            required=True,
            aliases=("agency", "service"),
        ),
        Column(
            "referral_route",
            "Referral route",
            type="choice",
            choices=tuple(ReferralRoute.choices),
            required=True,
            aliases=("route",),
        ),
        Column("referred_on", "Date referred", type="date", required=True, aliases=("referred",)),
        Column(
            FIRST_CONTACT_ON,
            "Date of first contact",
            type="date",
            aliases=("first_contact_made_at", "first_contact"),
        ),
        Column("support_consent_on", "Date support consented to", type="date"),
        Column("closed_on", "Date closed", type="date", aliases=("closed",)),
        Column(
            "closure_reason",
            "Closure reason",
            type="choice",
            choices=tuple(ClosureReason.choices),
        ),
    )

    def choices_of(self, column):
        if column.name != "advocacy_agency":
            return column.choices
        if not hasattr(self, "_agencies"):  # asked for every row: one query per kind
            self._agencies = list(
                Agency.objects.filter(partnership_id=self.partnership_id, kind=AgencyKind.ADVOCACY)
                .order_by("name")
                .values_list("pk", "name")
            )
        return self._agencies

    def row_errors(self, values):
        errors = {}
        referred_on = values["referred_on"]
        for name, what in LATER_DATES:
            if values[name] and values[name] < referred_on:
                errors[name] = f"{what} cannot be before the referral ({referred_on:%-d %B %Y})."
        if values["closed_on"] and not values["closure_reason"]:
            errors["closure_reason"] = "Give the reason the support was closed."
        elif values["closure_reason"] and not values["closed_on"]:
            errors.setdefault("closed_on", "Give the date the support was closed.")
        return errors

    def stored_errors(self, values, facts):
        roles = facts.roles.get((values["case"], values["victim"]), set())
        if not roles & {PartyRole.VICTIM, PartyRole.SECONDARY_VICTIM}:
            return {"victim": "The person is not a victim on the case: load the cases file first."}
        return {}

    def convert(self, rows, columns, value_map):
        """The victim column names a person; the episode holds their victim party on the
        case. Also refused: a second open episode for the victim in the same agency (in the
        file, or already stored under another id)."""
        out = super().convert(rows, columns, value_map)
        good = [values for _, values, errors in out if not errors]
        parties = self._victim_parties(good)
        for _, values, errors in out:
            if not errors:
                values["victim"] = parties[values["case"], values["victim"]]
        stored_open = self._stored_open(good)
        # A blank closure keeps a stored one: such a row leaves its episode closed.
        closed = {
            external_id
            for external_id, record in self.existing([v["external_id"] for v in good]).items()
            if record.closed_on
        }
        open_in_file = {}
        for number, values, errors in out:
            if errors or values["closed_on"] or values["external_id"] in closed:
                continue
            key = (values["victim"], values["advocacy_agency"])
            other = stored_open.get(key)
            if other is not None and other != values["external_id"]:
                errors["victim"] = (
                    "The victim already has an open episode with this agency: "
                    "close it or give this one's closure."
                )
            elif key in open_in_file:
                errors["victim"] = (
                    f"The victim already has an open episode with this agency on row "
                    f"{open_in_file[key]}: give one of them its closure."
                )
            else:
                open_in_file[key] = number
        return out

    @staticmethod
    def _victim_parties(rows):
        """{(case id, person id): victim party id}, the victim role before secondary."""
        if not rows:
            return {}
        found = {}
        parties = CaseParty.objects.filter(
            case_id__in={v["case"] for v in rows},
            person_id__in={v["victim"] for v in rows},
            role__in=(PartyRole.VICTIM, PartyRole.SECONDARY_VICTIM),
        ).order_by("role")  # "secondary_victim" sorts before "victim": the last one wins
        for case_id, person_id, pk in parties.values_list("case_id", "person_id", "pk"):
            found[case_id, person_id] = pk
        return found

    def _stored_open(self, rows):
        """{(victim party id, agency id): external id ("" if made here)} of open episodes."""
        if not rows:
            return {}
        episodes = SupportEpisode.objects.filter(
            partnership_id=self.partnership_id,
            closed_on__isnull=True,
            victim_id__in={v["victim"] for v in rows},
        )
        return {
            (victim, agency): external_id if source == self.source else ""
            for victim, agency, source, external_id in episodes.values_list(
                "victim_id", "advocacy_agency_id", "external_source", "external_id"
            )
        }

    # first_contact_made_on is not a model field: it is the day of first_contact_made_at.

    def field_names(self):
        return [column.name for column in self.columns if column.name != FIRST_CONTACT_ON]

    def snapshot(self, record):
        data = super().snapshot(record)
        data[FIRST_CONTACT_ON] = _moment(record.first_contact_made_at)
        return data

    def differs(self, record, values):
        made_on = values[FIRST_CONTACT_ON]
        return super().differs(record, values) or (
            made_on is not None and _day(record.first_contact_made_at) != made_on.isoformat()
        )

    def assign(self, record, values):
        super().assign(record, values)
        made_on = values.get(FIRST_CONTACT_ON)
        if made_on is not None and _day(record.first_contact_made_at) != made_on.isoformat():
            record.first_contact_made_at = _midday(made_on)

    def restore(self, record, before):
        before = dict(before)
        made_at = before.pop(FIRST_CONTACT_ON, None)
        record.first_contact_made_at = parse_datetime(made_at) if made_at else None
        super().restore(record, before)


def _midday(day):
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def _day(moment):
    return timezone.localtime(moment).date().isoformat() if moment else None


def _moment(moment):
    return timezone.localtime(moment).isoformat() if moment else None
