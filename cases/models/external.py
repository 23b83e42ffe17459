"""External ids: where a record came from in a partnership's earlier system (issue 13).

A record brought in by a migration or a bulk API call carries the source system's name and
its id there. The pair is unique per partnership, so loading the same file again finds the
record and updates it instead of creating a second one. Blank on records made here.
"""

from django.db import models
from django.db.models import Q

EXTERNAL_SOURCE_MAX = 40
EXTERNAL_ID_MAX = 100


class ExternallyIdentified(models.Model):
    external_source = models.CharField(
        max_length=EXTERNAL_SOURCE_MAX,
        blank=True,
        help_text="The system the record came from, e.g. 'Hampshire SPS spreadsheet'.",
    )
    external_id = models.CharField(
        max_length=EXTERNAL_ID_MAX,
        blank=True,
        help_text="The record's id in that system; unique per partnership and source.",
    )

    class Meta:
        abstract = True


def external_id_unique(name, partnership_field="partnership"):
    """The constraint every externally identified model declares in its Meta."""
    return models.UniqueConstraint(
        fields=[partnership_field, "external_source", "external_id"],
        condition=~Q(external_id=""),
        name=name,
    )


def external_id_filter(queryset, *, source="", external_id=""):
    """The queryset narrowed by ``?external_source=`` and ``?external_id=`` (either or
    both; blank leaves it as it is): how every list endpoint filters by external id."""
    if source:
        queryset = queryset.filter(external_source=source)
    if external_id:
        queryset = queryset.filter(external_id=external_id)
    return queryset
