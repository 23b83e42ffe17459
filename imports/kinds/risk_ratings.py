"""Risk ratings made before this system: historic assessments (a level as recorded, no item
answers), the same record risk.services.historic_rating_record makes, with its rules: the
instrument's version in force on the date, the common level mapped from the recorded one,
and no review date, so a migrated rating never causes a review reminder."""

from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership
from cases.models import CaseParty, Person
from risk.models import HISTORIC_TO_LEVEL, Assessment, AssessmentStatus, HistoricLevel, Instrument
from risk.services import check_assessed_on, check_instrument, historic_version

from .base import Column, RecordKind


class RiskRatingsKind(RecordKind):
    name = "risk_ratings"
    label = "Risk ratings (historic)"
    model = Assessment
    columns = (
        Column("case", "Case", type="ref", ref="cases.Case", required=True, aliases=("case_id",)),
        Column(
            "subject",
            "Person rated",
            type="ref",
            ref="cases.Person",
            aliases=("person", "person_id", "subject_id"),
        ),
        Column("instrument", "Instrument", type="choice", required=True, aliases=("tool",)),
        Column(
            "assessed_on",
            "Date of the rating",
            type="date",
            required=True,
            aliases=("date", "rated_on", "assessment_date"),
        ),
        Column(
            "recorded_level",
            "Level as recorded",
            type="choice",
            required=True,
            choices=tuple(HistoricLevel.choices),
            aliases=("level", "rating", "risk_level"),
        ),
        Column("note", "Note", aliases=("notes", "comment")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._instruments = None
        self._versions = {}
        self._agency_id = None

    # -- reading ---------------------------------------------------------------------

    def instruments(self):
        """code → instrument: the risk tools the partnership may date a rating with (a
        retired one too), by the rule risk.services applies."""
        if self._instruments is None:
            candidates = Instrument.objects.filter(
                Q(partnership__isnull=True) | Q(partnership_id=self.partnership_id)
            ).order_by("partnership_id", "name")
            self._instruments = {}
            for instrument in candidates:
                refused = {}
                check_instrument(instrument, self.partnership_id, refused, retired_too=True)
                if not refused:
                    # The partnership's own tool before a national one of the same code.
                    self._instruments.setdefault(instrument.code, instrument)
        return self._instruments

    def choices_of(self, column):
        if column.name == "instrument":
            return [(code, i.name) for code, i in self.instruments().items()]
        return column.choices

    def _version_id(self, code, on):
        if (code, on) not in self._versions:
            version = historic_version(self.instruments()[code], on)
            self._versions[code, on] = version.pk if version else None
        return self._versions[code, on]

    def convert(self, rows, columns, value_map):
        """The checks historic_rating_record makes, for a chunk at once: the person is on
        the case, the date is not before they were born (nor future, nor before 1990),
        and the instrument has a version to date the rating with."""
        out = super().convert(rows, columns, value_map)
        good = [(values, errors) for _, values, errors in out if not errors]
        subjects = {values["subject"] for values, _ in good if values.get("subject")}
        people = Person.objects.only("date_of_birth").in_bulk(subjects)
        on_case = set(
            CaseParty.objects.filter(
                case_id__in={values["case"] for values, _ in good}, person_id__in=subjects
            ).values_list("case_id", "person_id")
        )
        # An assessment made here (answered items) may carry the same external id: a
        # historic rating never replaces it.
        answered = set(
            Assessment.objects.filter(
                partnership_id=self.partnership_id,
                external_source=self.source,
                external_id__in={values["external_id"] for values, _ in good},
                historic=False,
            ).values_list("external_id", flat=True)
        )
        today = timezone.localdate()
        for values, errors in good:
            if values["external_id"] in answered:
                errors["external_id"] = (
                    "An assessment made in this system has this external id; "
                    "a historic rating cannot replace it."
                )
            subject = people.get(values.get("subject"))
            if subject is not None and (values["case"], subject.pk) not in on_case:
                errors["subject"] = "This person is not on the case: load the case's parties."
                subject = None
            check_assessed_on(values["assessed_on"], today, subject, errors)
            version_id = self._version_id(values["instrument"], values["assessed_on"])
            if version_id is None:
                errors["instrument"] = "This instrument has no version yet."
            values["instrument_version"] = version_id
        return out

    # -- records ---------------------------------------------------------------------

    def field_names(self):
        # "instrument" is read from the file; the record keeps the version it chose.
        names = [column.name for column in self.columns if column.name != "instrument"]
        return [*names, "instrument_version"]

    def _set_level(self, record):
        record.computed_level = record.level = HISTORIC_TO_LEVEL[record.recorded_level]

    def assign(self, record, values):
        super().assign(record, values)
        self._set_level(record)

    def _uploader_agency_id(self):
        """The rating is held by the uploader's agency in the partnership (its assessor is
        the uploader): the file does not say who rated."""
        if self._agency_id is None:
            self._agency_id = (
                Membership.objects.filter(
                    user=self.actor, agency__partnership_id=self.partnership_id
                )
                .order_by("-active", "pk")
                .values_list("agency_id", flat=True)
                .first()
            )
        return self._agency_id

    def create(self, values):
        record = self.model(
            partnership_id=self.partnership_id,
            external_source=self.source,
            external_id=values["external_id"],
            assessor=self.actor,
            agency_id=self._uploader_agency_id(),
            status=AssessmentStatus.COMPLETE,
            historic=True,
            completed_at=timezone.now(),
        )
        self.assign(record, values)
        record.save()
        return record

    def restore(self, record, before):
        super().restore(record, before)
        self._set_level(record)
        record.save(update_fields=["computed_level", "level"])
