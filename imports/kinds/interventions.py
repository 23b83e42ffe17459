"""Intervention enrolments: one row per person referred to a programme on a case (cases and
people loaded first), delivered by one of the partnership's health agencies, with its
consent and withdrawal. Completion follows from dated session rows (Enrolment.status), so a
finished enrolment shows as completed once its sessions are loaded (the sessions kind);
measures are not loaded. Enrolments stay in the clinical compartment: only the provider
agency reads them (interventions.selectors.enrolments.enrolments_visible_to)."""

from django.db.models import F, Q

from accounts.models import Agency
from accounts.roles import AgencyKind
from cases.models import CaseAgency, CaseParty, PartyRole
from interventions.models import Enrolment, Pathway, Programme, Recipient, WithdrawalReason

from .base import Column
from .related import StoredChecks, born_after

PERSON = "person"  # a column, stored as party: the person's party on the case
PLANNED = "planned_sessions"


class InterventionsKind(StoredChecks):
    name = "interventions"
    label = "Intervention enrolments"
    model = Enrolment
    case_field = "case"
    people_fields = (PERSON,)
    event_date = "referred_on"
    columns = (
        Column("case", "Case (their case id)", type="ref", ref="cases.Case", required=True),
        Column(PERSON, "Person (their person id)", type="ref", ref="cases.Person", required=True),
        Column("programme", "Programme", type="choice", required=True),
        Column(
            "provider_agency",
            "Provider agency",
            type="choice",
            required=True,
            aliases=("provider", "agency"),
        ),
        Column("referred_on", "Date referred", type="date", required=True, aliases=("referred",)),
        Column("pathway", "Pathway", type="choice", choices=tuple(Pathway.choices)),
        Column(PLANNED, "Sessions planned", aliases=("planned",)),
        Column("consent_signed_on", "Date consent signed", type="date", aliases=("consent",)),
        Column("withdrawn_on", "Date withdrawn", type="date", aliases=("withdrawn",)),
        Column(
            "withdrawal_reason",
            "Reason for withdrawal",
            type="choice",
            choices=tuple(WithdrawalReason.choices),
        ),
    )

    # -- choices that depend on the partnership (read once per kind) ------------------

    def programmes(self):
        """{pk: Programme} the partnership can use, its own first, retired ones too: a
        historic enrolment may be on a programme no longer offered."""
        if not hasattr(self, "_programmes"):
            self._programmes = {
                programme.pk: programme
                for programme in Programme.objects.filter(
                    Q(partnership__isnull=True) | Q(partnership_id=self.partnership_id)
                ).order_by(F("partnership").asc(nulls_last=True), "name", "pk")
            }
        return self._programmes

    def choices_of(self, column):
        if column.name == "programme":
            return [(pk, f"{p.name} ({p.code})") for pk, p in self.programmes().items()]
        if column.name == "provider_agency":
            if not hasattr(self, "_agencies"):
                self._agencies = list(
                    Agency.objects.filter(
                        partnership_id=self.partnership_id, kind=AgencyKind.HEALTH
                    )
                    .order_by("name")
                    .values_list("pk", "name")
                )
            return self._agencies
        return column.choices

    def parse(self, column, text):
        if column.name == "programme" and text:
            wanted = text.lower()
            for pk, programme in self.programmes().items():
                if wanted in (str(pk), programme.code.lower(), programme.name.lower()):
                    return pk
        if column.name == PLANNED and text:
            try:
                return int(text)
            except ValueError:
                raise ValueError(f"“{text}” is not a whole number of sessions.") from None
        value = super().parse(column, text)
        return None if column.name == PLANNED and value == "" else value

    # -- checks ---------------------------------------------------------------------

    def row_errors(self, values):
        errors = {}
        referred_on = values["referred_on"]
        for name, what in (("consent_signed_on", "Consent"), ("withdrawn_on", "A withdrawal")):
            if values[name] and values[name] < referred_on:
                errors[name] = f"{what} cannot be before the referral ({referred_on:%-d %B %Y})."
        if values["withdrawn_on"] and not values["withdrawal_reason"]:
            errors["withdrawal_reason"] = "Give the reason the person left the programme."
        elif values["withdrawal_reason"] and not values["withdrawn_on"]:
            errors["withdrawn_on"] = "Give the date the person left the programme."
        programme = self.programmes()[values["programme"]]
        if programme.provider_kind != AgencyKind.HEALTH:
            errors["programme"] = (
                f"{programme.name} is not delivered by a health agency: only health "
                "programmes have enrolments."
            )
        problem = _planned_error(programme, values[PLANNED])
        if problem:
            errors[PLANNED] = problem
        return errors

    def convert(self, rows, columns, value_map):
        """Also: the person must be the case's perpetrator or victim as the programme is for;
        their party is what the enrolment stores."""
        out = super().convert(rows, columns, value_map)
        good = [values for _, values, errors in out if not errors]
        parties, shared, stored = {}, set(), {}
        if good:
            stored = self.existing([v["external_id"] for v in good])
            shared = set(
                CaseAgency.objects.filter(
                    case_id__in={v["case"] for v in good},
                    agency_id__in={v["provider_agency"] for v in good},
                ).values_list("case_id", "agency_id")
            )
            for pk, case_id, person_id, role in CaseParty.objects.filter(
                case_id__in={v["case"] for v in good}, person_id__in={v[PERSON] for v in good}
            ).values_list("pk", "case_id", "person_id", "role"):
                parties[case_id, person_id, role] = pk
        for _, values, errors in out:
            if errors:
                continue
            programme = self.programmes()[values["programme"]]
            role = (
                PartyRole.PERPETRATOR
                if programme.recipient == Recipient.PERPETRATOR
                else PartyRole.VICTIM
            )
            party = parties.get((values["case"], values[PERSON], role))
            if party is None:
                errors[PERSON] = (
                    f"{programme.name} is for {role.label.lower()}s and the person is not the "
                    f"case's {role.label.lower()}: load the cases file first."
                )
            else:
                values["party"] = party
            # A blank cell keeps the stored date, which must still follow the referral.
            record = stored.get(values["external_id"])
            for name, what in (("consent_signed_on", "consent"), ("withdrawn_on", "withdrawal")):
                kept = getattr(record, name, None)
                if values[name] is None and kept and kept < values["referred_on"]:
                    errors["referred_on"] = (
                        f"The referral cannot be after the {what} already recorded "
                        f"({kept:%-d %B %Y})."
                    )
            if values[PLANNED] is None and record is not None:
                problem = _planned_error(programme, record.planned_sessions)
                if problem:
                    errors[PLANNED] = f"{problem} Give the number planned."
            # As when referred here: the provider works on a case shared with it. Sharing is
            # the case's decision, so an import never widens it.
            if (values["case"], values["provider_agency"]) not in shared:
                errors["provider_agency"] = (
                    "The case is not shared with this agency: share it with them first."
                )
        return out

    def stored_errors(self, values, facts):
        problem = born_after(facts.born.get(values[PERSON]), values["referred_on"], "the referral")
        return {"referred_on": problem} if problem else {}

    # -- records: person is not a field, party is ---------------------------------------

    def field_names(self):
        return ["party" if column.name == PERSON else column.name for column in self.columns]

    def create(self, values):
        record = Enrolment(
            partnership_id=self.partnership_id,
            external_source=self.source,
            external_id=values["external_id"],
            created_by=self.actor,
        )
        self.assign(record, values)
        if values[PLANNED] is None:  # as when referred here: the programme's most
            record.planned_sessions = self.programmes()[values["programme"]].sessions_max
        record.save()
        return record


def _planned_error(programme, planned):
    if planned is not None and not programme.sessions_min <= planned <= programme.sessions_max:
        return (
            f"{programme.name} plans between {programme.sessions_min} and "
            f"{programme.sessions_max} sessions."
        )
    return None
