"""Pagination that counts only up to a cap: counting 100,000+ visible rows for every page
costs more than the page itself. Lists say "more than 10,000" beyond the cap; page 200 of
50 rows is still reachable, and search or filters narrow the rest."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

COUNT_CAP = 10_000


def capped_count(queryset, cap=COUNT_CAP):
    """(count, capped): the number of rows up to ``cap``, one quick query."""
    count = queryset.order_by()[: cap + 1].count()
    return min(count, cap), count > cap


class CappedCountPaginator(Paginator):
    """A Paginator whose count stops at COUNT_CAP (``capped`` says when it did)."""

    capped = False

    @cached_property
    def count(self):
        count, self.capped = capped_count(self.object_list)
        return count


class CappedPaginator(CappedCountPaginator):
    """Capped count, and pages read by id first (for lists sorted by an index)."""

    def page(self, number):
        """Read the page's ids from the index first, then only those rows: page 200 does
        not fetch the 9,950 rows before it (a "deferred join")."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids).order_by()}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


class CappedPagination(PageNumberPagination):
    """Counts up to COUNT_CAP rows; ``count_capped`` is true when there are more."""

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {"type": "boolean"}
        return schema


class CappedCountPagination(CappedPagination):
    django_paginator_class = CappedCountPaginator
