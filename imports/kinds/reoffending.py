"""Re-offending events: one row per re-offence by a perpetrator on a case (cases and people
loaded first), counted from the case's opening or first referral as the service does."""

from cases.models import PartyRole, ReoffendingEvent, ReoffendingSource, ReoffendingVictim

from .base import Column
from .related import StoredChecks, born_after


class ReoffendingKind(StoredChecks):
    name = "reoffending"
    label = "Re-offending events"
    model = ReoffendingEvent
    case_field = "case"
    people_fields = ("perpetrator",)
    event_date = "occurred_on"
    columns = (
        Column("case", "Case (their case id)", type="ref", ref="cases.Case", required=True),
        Column(
            "perpetrator",
            "Perpetrator (their person id)",
            type="ref",
            ref="cases.Person",
            required=True,
        ),
        Column("occurred_on", "Date of the re-offence", type="date", required=True),
        Column(
            "victim",
            "Victim (same or new)",
            type="choice",
            choices=tuple(ReoffendingVictim.choices),
            required=True,
        ),
        Column(
            "source",
            "Source (where it was learnt)",
            type="choice",
            choices=tuple(ReoffendingSource.choices),
            required=True,
        ),
        Column("crime_reference", "Crime reference", max_length=40, aliases=("crime_ref",)),
        Column("note", "Note", max_length=5000),
    )

    def stored_errors(self, values, facts):
        roles = facts.roles.get((values["case"], values["perpetrator"]), ())
        if PartyRole.PERPETRATOR not in roles:
            return {
                "perpetrator": "The person is not a perpetrator on the case: "
                "load the cases file first."
            }
        occurred_on = values["occurred_on"]
        problem = born_after(facts.born.get(values["perpetrator"]), occurred_on, "the re-offence")
        if problem:
            return {"occurred_on": problem}
        anchor = facts.first[values["case"]]
        if occurred_on < anchor:
            return {
                "occurred_on": f"Re-offending is counted from {anchor:%-d %B %Y} (the case's "
                "first referral or opening): earlier behaviour is not re-offending."
            }
        return {}
