"""Reads of programmes."""

from django.db.models import (
    Q,
)

from audit.services import as_id, visible_or_404
from interventions.models import (
    Programme,
)


def programmes_visible_to(membership):
    """National programmes and the member's partnership's own."""
    return Programme.objects.filter(
        Q(partnership__isnull=True) | Q(partnership_id=membership.agency.partnership_id),
        active=True,
    ).order_by("name", "pk")


def programme_for(membership, pk):
    key = as_id(pk)
    if key is None:
        return None
    return programmes_visible_to(membership).filter(pk=key).first()


def programmes_for_admin(membership):
    """Every programme the admin's partnership can use, retired ones too, national first."""
    return (
        Programme.objects.filter(
            Q(partnership__isnull=True) | Q(partnership_id=membership.agency.partnership_id)
        )
        .prefetch_related("eligibility_criteria")
        .order_by("-partnership", "name", "pk")
    )


def get_local_programme_or_404(membership, pk):
    """A local programme of the member's partnership (a national one answers 404 here: it
    changes only by migration)."""
    return visible_or_404(
        membership,
        Programme.objects.filter(partnership_id=membership.agency.partnership_id),
        pk,
        kind=Programme._meta.label,
    )


def get_programme_or_404(membership, pk):
    return visible_or_404(
        membership,
        Programme.objects.filter(
            Q(partnership__isnull=True) | Q(partnership_id=membership.agency.partnership_id)
        ),
        pk,
        kind=Programme._meta.label,
    )
