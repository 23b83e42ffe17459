"""Criminal-justice outcomes: one row per outcome for a person on a case (cases and people
loaded first), with its Home Office outcome code as in use on the outcome's date."""

from django.db.models import Q

from cases.models import CodeList, CrimeScreenEntry, CriminalJusticeOutcome

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

    def convert(self, rows, columns, value_map):
        """Also refused: an outcome dated before its crime was recorded (the crime named by
        its reference, else the earliest crime linked to the case)."""
        out = super().convert(rows, columns, value_map)
        good = [values for _, values, errors in out if not errors]
        recorded = self._crimes_recorded(good)
        for _, values, errors in out:
            if errors:
                continue
            reference = (values["crime_reference"] or "").upper()
            crime_on = recorded.get(("ref", reference)) if reference else None
            crime_on = crime_on or recorded.get(("case", values["case"]))
            if crime_on and values["outcome_on"] < crime_on:
                errors["outcome_on"] = (
                    f"The outcome is dated before its crime was recorded ({crime_on:%-d %B %Y})."
                )
        return out

    def _crimes_recorded(self, rows):
        """{("ref", REFERENCE) or ("case", case id): earliest recorded date}, one query."""
        references = {v["crime_reference"].upper() for v in rows if v["crime_reference"]}
        cases = {v["case"] for v in rows}
        if not rows:
            return {}
        found = {}
        crimes = CrimeScreenEntry.objects.filter(partnership_id=self.partnership_id).filter(
            Q(crime_reference__in=references | {r.lower() for r in references})
            | Q(case_id__in=cases)
        )
        for reference, case_id, recorded_on in crimes.values_list(
            "crime_reference", "case_id", "recorded_on"
        ):
            for key in (("ref", reference.upper()), ("case", case_id)):
                if key[1] and (key not in found or recorded_on < found[key]):
                    found[key] = recorded_on
        return found
