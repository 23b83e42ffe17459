"""What the outcomes, re-offending and referrals kinds share: records made by the uploader,
and checks of a row against records already stored (a party on the case, a date of birth,
the case's first date), looked up once per chunk of rows rather than once per row."""

from dataclasses import dataclass, field

from django.db.models import Min

from cases.models import Case, CaseParty, Person
from cases.models.reference import too_early

from .base import RecordKind


class UploaderCreates(RecordKind):
    """A kind whose records name who made them: the admin who uploaded the file."""

    def create(self, values):
        record = self.model(
            partnership_id=self.partnership_id,
            external_source=self.source,
            external_id=values["external_id"],
            created_by=self.actor,
        )
        self.assign(record, values)
        record.save()
        return record


class StoredChecks(UploaderCreates):
    """A kind whose good rows are also checked against stored records:
    ``stored_errors(values, facts)`` → {field: message}, facts from ``Facts.of``."""

    case_field = ""  # the ref column naming the case, if any
    people_fields = ()  # the ref columns naming people
    event_date = ""  # the date column of the event; none is before EARLIEST_EVENT_DATE

    def parse(self, column, text):
        value = super().parse(column, text)
        # Refused as the date's own error, so the codes are not checked on a mistyped date.
        if column.name == self.event_date and too_early(value):
            raise ValueError(too_early(value))
        return value

    def convert(self, rows, columns, value_map):
        out = super().convert(rows, columns, value_map)
        good = [values for _, values, errors in out if not errors]
        facts = Facts.of(good, case_field=self.case_field, people_fields=self.people_fields)
        for _, values, errors in out:
            if not errors:
                errors.update(self.stored_errors(values, facts))
        return out

    def stored_errors(self, values, facts):
        return {}


@dataclass
class Facts:
    born: dict = field(default_factory=dict)  # person id → date of birth (or None)
    roles: dict = field(default_factory=dict)  # (case id, person id) → {party roles}
    first: dict = field(default_factory=dict)  # case id → earlier of opened / first referral

    @classmethod
    def of(cls, rows, *, case_field="", people_fields=()):
        facts = cls()
        people = {values[name] for values in rows for name in people_fields if values.get(name)}
        if people:
            facts.born = dict(
                Person.objects.filter(pk__in=people).values_list("pk", "date_of_birth")
            )
        cases = {values[case_field] for values in rows if case_field and values.get(case_field)}
        if cases and people:
            for case_id, person_id, role in CaseParty.objects.filter(
                case_id__in=cases, person_id__in=people
            ).values_list("case_id", "person_id", "role"):
                facts.roles.setdefault((case_id, person_id), set()).add(role)
        if cases:
            for case_id, opened_on, first_referral in (
                Case.objects.filter(pk__in=cases)
                .annotate(first_referral=Min("referrals__received_on"))
                .values_list("pk", "opened_on", "first_referral")
            ):
                facts.first[case_id] = min(d for d in (opened_on, first_referral) if d)
        return facts


def born_after(born, day, what):
    """Error text when someone born on ``born`` is said to be in an event of ``day``."""
    if born and day and born > day:
        return f"The person was born on {born:%-d %B %Y}, after {what} ({day:%-d %B %Y})."
    return None
