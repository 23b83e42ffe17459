from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.decorators import member_required
from accounts.roles import Cap
from audit import selectors
from audit.forms import AuditSearchForm
from audit.models import Action
from audit.services import record_event
from config.spreadsheets import csv_writer


def _filters(request):
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, filters


def _logged(filters):
    return {k: str(v) for k, v in filters.items() if v}


@member_required(Cap.REVIEW_AUDIT)
def audit_search(request):
    membership = request.membership
    form, filters = _filters(request)
    # Logged before the search runs, so the page is consistent with its own row.
    record_event(
        action=Action.SEARCH, actor=request.user, detail={"audit_search": _logged(filters)}
    )
    events = selectors.search_events(membership, **filters) if not form.errors else []
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "grants": selectors.break_glass_grants_in_partnership(membership)[:50],
        "export_query": request.GET.urlencode() if not form.errors else "",
    }
    return render(request, "audit/search.html", context)


class _Echo:
    """A file-like object whose write returns the line, for streaming csv rows."""

    def write(self, value):
        return value


@member_required(Cap.REVIEW_AUDIT)
def audit_export(request):
    """The current search as CSV: same filters, same scope, the export itself audited;
    rows are streamed and every cell goes through config.spreadsheets.safe_cell."""
    membership = request.membership
    form, filters = _filters(request)
    if form.errors:
        context = {
            "form": form,
            "page": Paginator([], 100).get_page(1),
            "grants": selectors.break_glass_grants_in_partnership(membership)[:50],
            "export_query": "",
        }
        return render(request, "audit/search.html", context, status=400)
    record_event(
        action=Action.EXPORT, actor=request.user, detail={"audit_export": _logged(filters)}
    )
    writer = csv_writer(_Echo())  # every cell through safe_cell (formula injection)
    rows = selectors.export_rows(membership, **filters)
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    return response
