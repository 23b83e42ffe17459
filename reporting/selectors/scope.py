"""What a report covers: one partnership, a period of London dates, and optionally one local
area or one agency. Every report kind filters its records through these rules, so "in the
area" and "in the period" mean the same thing in the return, the pack and the dashboards."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from cases.models import Case, CaseAgency, CrimeScreenEntry
from reporting.models import LocalArea
from reporting.periods import LONDON


@dataclass(frozen=True)
class Scope:
    partnership_id: int
    start: date  # first London day, included
    end: date  # last London day, included
    local_area: LocalArea | None = None
    agency_id: int | None = None

    @classmethod
    def of_run(cls, run):
        return cls(
            partnership_id=run.partnership_id,
            start=run.period_start,
            end=run.period_end,
            local_area=run.local_area,
            agency_id=run.agency_id,
        )

    @property
    def utc_start(self):
        """The first instant of the period (London midnight of ``start``)."""
        return datetime.combine(self.start, time.min, tzinfo=LONDON)

    @property
    def utc_end(self):
        """The instant after the period (London midnight after ``end``): use ``__lt``."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=LONDON)

    def dates(self, field):
        """Q for a DateField inside the period."""
        return Q(**{f"{field}__gte": self.start, f"{field}__lte": self.end})

    def instants(self, field):
        """Q for a DateTimeField inside the period's London days."""
        return Q(**{f"{field}__gte": self.utc_start, f"{field}__lt": self.utc_end})

    @cached_property
    def _area_agency_ids(self):
        return list(self.local_area.agencies.values_list("pk", flat=True))

    def area_agency_ids(self):
        if self.local_area is None:
            return None
        return self._area_agency_ids

    @property
    def whole_partnership(self):
        return self.local_area is None and self.agency_id is None

    def cases(self, path="case", *, partnership_field=None):
        """Q for rows whose case (reached through ``path``; "" for Case itself) is in the
        partnership and, when the scope names one, in the local area or the agency's cases.

        A case is in a local area when its lead agency is one of the area's agencies or one
        of its crime-screen entries was recorded in one of the area's police areas. A case is
        an agency's when the agency is its lead agency or the case is shared with it.
        ``partnership_field``: the row's own partnership column, which is enough for the
        whole partnership (no join to the cases table)."""
        if not self.whole_partnership:
            # The ids are the partnership's cases already: filter on the row's own case
            # column, with no join to the cases table.
            return Q(**{f"{path}_id__in" if path else "pk__in": self._case_ids})
        if partnership_field is not None:
            return Q(**{partnership_field: self.partnership_id})
        prefix = f"{path}__" if path else ""
        return Q(**{f"{prefix}partnership_id": self.partnership_id})

    def _cases_in_scope(self):
        cases = Case.objects.filter(partnership_id=self.partnership_id)
        if self.local_area is not None:
            in_area = Q(lead_agency_id__in=self.area_agency_ids())
            police_areas = [area for area in self.local_area.police_areas if area]
            if police_areas:
                screened_there = CrimeScreenEntry.objects.filter(
                    partnership_id=self.partnership_id,
                    location_area__in=police_areas,
                    case__isnull=False,
                ).values("case_id")
                in_area |= Q(pk__in=screened_there)
            cases = cases.filter(in_area)
        if self.agency_id is not None:
            shared = CaseAgency.objects.filter(agency_id=self.agency_id).values("case_id")
            cases = cases.filter(Q(lead_agency_id=self.agency_id) | Q(pk__in=shared))
        return cases

    @cached_property
    def _case_ids(self):
        """The cases of the area or agency, worked out once per scope: every metric of a
        report filters on them, and the police-area rule scans the crime screen. On
        PostgreSQL the ids travel as one array parameter (no limit on their number);
        elsewhere (SQLite, the demo) as the subquery itself."""
        cases = self._cases_in_scope()
        if connection.vendor != "postgresql":
            return cases.values("pk")
        return id_list(list(cases.values_list("pk", flat=True)))

    def referrals(self):
        """Q for the referrals in the scope: the referral's case is in scope; a referral
        not (yet) linked to a case is in scope when its referring agency is. The one rule
        for the return, the pack and the dashboard."""
        condition = Q(partnership_id=self.partnership_id)
        if self.whole_partnership:
            return condition
        not_linked = Q(case__isnull=True) & self.agencies("referring_agency_id")
        return condition & (self.cases("case") | not_linked)

    def agencies(self, field):
        """Q for rows attributed to an agency (``field``) inside the scope: any agency of
        the partnership, or the local area's agencies, or the one agency."""
        condition = Q()
        if self.local_area is not None:
            condition &= Q(**{f"{field}__in": self.area_agency_ids()})
        if self.agency_id is not None:
            condition &= Q(**{field: self.agency_id})
        return condition


def id_list(ids):
    """``ids`` for an ``__in`` filter: on PostgreSQL one array parameter (any number of
    ids, one plan), elsewhere the list itself."""
    if connection.vendor != "postgresql":
        return list(ids)
    return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])
