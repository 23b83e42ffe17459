"""Reads of programmes."""

from django.db.models import (
    Q,
)

from audit.services import as_id
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
