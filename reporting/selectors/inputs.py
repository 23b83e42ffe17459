"""Reads of what a partnership records for its reports that is not a case record: local
areas, training events and staff FTE, always inside the acting member's partnership.

Who may do what (the one place that says so):

- Local areas and staff FTE: the partnership admin (``Cap.MANAGE_PARTNERSHIP``).
- Training: the partnership admin records and changes any training the partnership
  delivered. A member who sees reports (``Cap.VIEW_REPORTS``: a manager, a police
  supervisor) delivers training for their own agency, so they may record training delivered
  by the agency they act in, and change or delete only that agency's training. Everyone
  who may record training sees the partnership's whole list (counts, no personal data)."""

from django.db.models import Count

from accounts.access import can
from accounts.models import Agency
from accounts.roles import Cap
from audit.services import visible_or_404
from cases.models import CrimeScreenEntry
from reporting.models import LocalArea, StaffFte, TrainingEvent

# How many police-area names are offered as hints on the local-area form.
POLICE_AREA_HINTS = 50


def _partnership_id(membership):
    return membership.agency.partnership_id


def can_manage_inputs(membership):
    """Local areas and staff FTE: the partnership admin."""
    return can(membership, Cap.MANAGE_PARTNERSHIP)


def can_record_training(membership):
    """The partnership admin, and members who see reports (for their own agency)."""
    return can(membership, Cap.MANAGE_PARTNERSHIP) or can(membership, Cap.VIEW_REPORTS)


def can_use_setup(membership):
    return can_manage_inputs(membership) or can_record_training(membership)


def partnership_agencies(membership):
    return Agency.objects.filter(partnership_id=_partnership_id(membership)).order_by("name")


def training_agencies(membership):
    """The agencies the member may record training for: every agency of the partnership for
    the admin, the member's own agency for anyone else."""
    if can(membership, Cap.MANAGE_PARTNERSHIP):
        return partnership_agencies(membership)
    return Agency.objects.filter(pk=membership.agency_id)


# Local areas


def local_areas_for(membership):
    return (
        LocalArea.objects.filter(partnership_id=_partnership_id(membership))
        .prefetch_related("agencies")
        .order_by("name", "pk")
    )


def active_local_areas(membership, *, keep=None):
    """The partnership's active areas, plus ``keep`` (an area a record already names)."""
    areas = LocalArea.objects.filter(partnership_id=_partnership_id(membership))
    if keep is not None:
        return areas.filter(active=True) | areas.filter(pk=keep.pk)
    return areas.filter(active=True)


def get_local_area_or_404(membership, pk):
    return visible_or_404(membership, local_areas_for(membership), pk)


def police_area_hints(membership, *, limit=POLICE_AREA_HINTS):
    """The police areas the partnership's crime screen has recorded, most used first:
    the names a local area's police areas must match exactly."""
    rows = (
        CrimeScreenEntry.objects.filter(partnership_id=_partnership_id(membership))
        .exclude(location_area="")
        .values("location_area")
        .annotate(entries=Count("pk"))
        .order_by("-entries", "location_area")[:limit]
    )
    return [row["location_area"] for row in rows]


# Training events


def training_events_for(membership):
    """The partnership's training, newest first."""
    return (
        TrainingEvent.objects.filter(partnership_id=_partnership_id(membership))
        .select_related("delivered_by", "local_area")
        .order_by("-delivered_on", "-pk")
    )


def training_events_editable_by(membership):
    events = training_events_for(membership)
    if can(membership, Cap.MANAGE_PARTNERSHIP):
        return events
    if can(membership, Cap.VIEW_REPORTS):
        return events.filter(delivered_by_id=membership.agency_id)
    return events.none()


def may_edit_training(membership, event):
    if can(membership, Cap.MANAGE_PARTNERSHIP):
        return event.partnership_id == _partnership_id(membership)
    return can(membership, Cap.VIEW_REPORTS) and event.delivered_by_id == membership.agency_id


def get_training_event_or_404(membership, pk):
    """A training event the member may change; any other (another agency's for a manager,
    another partnership's for anyone) is 404."""
    return visible_or_404(membership, training_events_editable_by(membership), pk)


# Staff FTE


def staff_fte_for(membership):
    return (
        StaffFte.objects.filter(partnership_id=_partnership_id(membership))
        .select_related("agency")
        .order_by("agency__name", "agency_id", "-period_start", "-pk")
    )


def staff_fte_by_agency(membership):
    """[(agency, [rows newest first])] for every agency of the partnership, in name order;
    an agency with no rows is listed with none, so a gap shows."""
    grouped = {agency.pk: (agency, []) for agency in partnership_agencies(membership)}
    for row in staff_fte_for(membership):
        grouped.setdefault(row.agency_id, (row.agency, []))[1].append(row)
    return list(grouped.values())


def get_staff_fte_or_404(membership, pk):
    return visible_or_404(membership, staff_fte_for(membership), pk)


def overlapping_fte(*, agency, period_start, period_end, exclude_pk=None):
    """The agency's FTE rows whose period shares at least one day with the one given."""
    rows = StaffFte.objects.filter(
        agency=agency, period_start__lte=period_end, period_end__gte=period_start
    )
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return rows.order_by("period_start")
