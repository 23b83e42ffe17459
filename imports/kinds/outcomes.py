"""Criminal-justice outcomes: one row per outcome for a person on a case (cases and people
loaded first), with its Home Office outcome code as in use on the outcome's date."""

from cases.models import CodeList, CriminalJusticeOutcome

from .base import Column
from .related import StoredChecks, born_after


class OutcomesKind(StoredChecks):
    name = "outcomes"
    label = "Criminal-justice outcomes"
    model = CriminalJusticeOutcome
    case_field = "case"
    people_fields = ("person",)
    event_date = "outcome_on"
    columns = (
        Column("case", "Case (their case id)", type="ref", ref="cases.Case", required=True),
        Column("person", "Person (their person id)", type="ref", ref="cases.Person", required=True),
        Column(
            "outcome",
            "Outcome code",
            type="code",
            code_list=CodeList.OUTCOME,
            date_from="outcome_on",
            required=True,
            aliases=("outcome_code", "disposal"),
        ),
        Column("outcome_on", "Date of the outcome", type="date", required=True),
        Column("crime_reference", "Crime reference", max_length=40, aliases=("crime_ref",)),
        Column("charge", "Charge", max_length=300),
        Column("convicted", "Convicted", type="bool"),
        Column("sentence", "Sentence", max_length=300),
    )

    def row_errors(self, values):
        errors = {}
        if values["convicted"] is not None and not values["charge"]:
            errors["charge"] = "Enter the charge the conviction (or acquittal) relates to."
        if values["sentence"] and values["convicted"] is not True:
            errors["sentence"] = "A sentence needs a conviction."
        return errors

    def stored_errors(self, values, facts):
        if not facts.roles.get((values["case"], values["person"])):
            return {"person": "The person is not a party to the case: load the cases file first."}
        problem = born_after(facts.born.get(values["person"]), values["outcome_on"], "the outcome")
        return {"outcome_on": problem} if problem else {}
