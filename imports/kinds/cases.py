"""Cases with their victim and perpetrator (people loaded first), and closures."""

from accounts.models import Agency
from cases.models import (
    Case,
    Classification,
    CodeList,
    OffenceLevel,
    PartyRole,
    Priority,
    Tier,
)
from cases.models.reference import too_early
from cases.services.core import case_agencies_ensure, case_bring_in, case_parties_ensure

from .base import Column, RecordKind

PARTY_COLUMNS = {"victim": PartyRole.VICTIM, "perpetrator": PartyRole.PERPETRATOR}
NOT_FIELDS = {*PARTY_COLUMNS, "shared_with"}  # kept as parties and sharing, not on the case
SHARED_REASON = "Shared in the earlier system; brought in by an import"


class CasesKind(RecordKind):
    name = "cases"
    label = "Cases"
    model = Case
    columns = (
        Column("opened_on", "Date opened", type="date", required=True, aliases=("opened",)),
        Column("summary", "Summary", required=True, max_length=10_000),
        Column("lead_agency", "Lead agency", type="choice", required=True),
        Column("victim", "Victim (their person id)", type="ref", ref="cases.Person"),
        Column("perpetrator", "Perpetrator (their person id)", type="ref", ref="cases.Person"),
        Column(
            "relationship",
            "Relationship",
            type="code",
            code_list=CodeList.RELATIONSHIP,
            date_from="opened_on",
        ),
        Column(
            "classification", "Classification", type="choice", choices=tuple(Classification.choices)
        ),
        Column(
            "offence_level", "Offence level", type="choice", choices=tuple(OffenceLevel.choices)
        ),
        Column("tier", "Tier", type="choice", choices=tuple(Tier.choices)),
        Column("priority", "Priority", type="choice", choices=tuple(Priority.choices)),
        Column("closed_on", "Date closed", type="date"),
        Column(
            "closure_reason",
            "Closure reason",
            type="code",
            code_list=CodeList.CLOSURE_REASON,
            date_from="closed_on",
        ),
        Column("monitoring_started_on", "Monitoring started", type="date"),
        Column(
            "shared_with",
            "Also shared with (agency names, separated by ;)",
            max_length=2000,
            aliases=("agencies", "shared"),
        ),
    )

    def choices_of(self, column):
        if column.name not in ("lead_agency", "shared_with"):
            return column.choices
        if not hasattr(self, "_agencies"):  # read once per check, not once per row
            self._agencies = list(
                Agency.objects.filter(partnership_id=self.partnership_id)
                .order_by("name")
                .values_list("pk", "name")
            )
        return self._agencies

    def stored(self):
        return Case.objects.prefetch_related("parties", "case_agencies")

    def field_names(self):
        return [c.name for c in self.columns if c.name not in NOT_FIELDS]

    def row_errors(self, values):
        errors = case_date_errors(values, opened_on=values["opened_on"])
        ids, unknown = self._agency_ids(values.get("shared_with") or "")
        if unknown:
            errors["shared_with"] = f"Not an agency of this partnership: {', '.join(unknown)}."
        values["shared_with"] = ids
        return errors

    def _agency_ids(self, text):
        """Agency ids for the names (or ids) in ``text``, and the names not found."""
        known = {}
        for pk, name in self.choices_of(Column("shared_with", "")):
            known[str(pk)] = known[name.lower()] = pk
        names = [part.strip() for part in text.replace(",", ";").split(";") if part.strip()]
        return (
            sorted({known[n.lower()] for n in names if n.lower() in known}),
            [n for n in names if n.lower() not in known],
        )

    def _parties(self, values):
        return [(role, values.get(name)) for name, role in PARTY_COLUMNS.items()]

    def differs(self, record, values):
        if super().differs(record, values):
            return True
        held = {(party.role, party.person_id) for party in record.parties.all()}
        if any(person and (role, person) not in held for role, person in self._parties(values)):
            return True
        shared = {link.agency_id for link in record.case_agencies.all()}
        return bool(set(values.get("shared_with") or ()) - shared)

    def create(self, values):
        case = Case(
            partnership_id=self.partnership_id,
            external_source=self.source,
            external_id=values["external_id"],
        )
        self.assign(case, values)
        lead_agency = Agency.objects.get(pk=values["lead_agency"])
        case_bring_in(
            actor=self.actor, case=case, lead_agency=lead_agency, parties=self._parties(values)
        )
        self._share(case, values)
        return case

    def update(self, record, values):
        super().update(record, values)
        case_parties_ensure(record, self._parties(values))
        self._share(record, values)
        return record

    def _share(self, case, values):
        """The agencies the case was shared with in their system get it here too (the
        file says so); an import never unshares."""
        case_agencies_ensure(
            actor=self.actor,
            case=case,
            agency_ids=values.get("shared_with") or (),
            reason=SHARED_REASON,
        )


def case_date_errors(values, *, opened_on):
    """Dates that cannot be true of a case: opened before the earliest event we hold, closed
    before it opened, monitoring before it opened, a closure reason with no closure."""
    errors = {}
    problem = too_early(values.get("opened_on"))
    if problem:
        errors["opened_on"] = problem
    closed_on = values.get("closed_on")
    if closed_on and opened_on and closed_on < opened_on:
        errors["closed_on"] = "The case cannot close before it opened."
    started = values.get("monitoring_started_on")
    if started and opened_on and started < opened_on:
        errors["monitoring_started_on"] = "Monitoring cannot start before the case opened."
    if values.get("closure_reason") and not closed_on:
        errors["closure_reason"] = "Give the date closed with a closure reason."
    return errors


class ClosuresKind(RecordKind):
    """Closures of cases already loaded, one row per case: their case id is the row's id."""

    name = "closures"
    label = "Case closures"
    model = Case
    columns = (
        Column("closed_on", "Date closed", type="date", required=True),
        Column(
            "closure_reason",
            "Closure reason",
            type="code",
            code_list=CodeList.CLOSURE_REASON,
            date_from="closed_on",
        ),
        Column("monitoring_started_on", "Monitoring started", type="date"),
    )

    def convert(self, rows, columns, value_map):
        out = super().convert(rows, columns, value_map)
        cases = self.existing([values.get("external_id") for _, values, _ in out])
        for _, values, errors in out:
            case = cases.get(values.get("external_id"))
            if case is None:
                errors.setdefault(
                    "external_id",
                    f"No case with id {values.get('external_id')} from {self.source} has "
                    "been loaded: load the cases file first.",
                )
            elif not errors:
                errors.update(case_date_errors(values, opened_on=case.opened_on))
        return out

    def create(self, values):  # convert() refuses rows of cases not loaded
        raise AssertionError("closures only update cases")
