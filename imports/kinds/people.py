"""People: one row per person in their system."""

from cases.models import CodeList, Gender, Person

from .base import Column, RecordKind, earliest_birth_error


class PeopleKind(RecordKind):
    name = "people"
    label = "People"
    model = Person
    columns = (
        Column(
            "given_names",
            "Given names",
            required=True,
            max_length=200,
            aliases=("first_name", "forename", "forenames"),
        ),
        Column(
            "family_name",
            "Family name",
            required=True,
            max_length=200,
            aliases=("surname", "last_name"),
        ),
        Column("date_of_birth", "Date of birth", type="date", aliases=("dob", "birth_date")),
        Column("gender", "Gender", type="choice", choices=tuple(Gender.choices), aliases=("sex",)),
        Column("ethnicity", "Ethnicity", type="code", code_list=CodeList.ETHNICITY),
        Column("postcode", "Postcode", max_length=10),
        Column("phone", "Phone", max_length=40),
        Column("email", "Email", max_length=254),
    )

    def row_errors(self, values):
        problem = earliest_birth_error(values.get("date_of_birth"))
        return {"date_of_birth": problem} if problem else {}
