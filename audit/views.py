from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.decorators import member_required
from accounts.roles import Cap
from audit import selectors
from audit.forms import AuditSearchForm
from audit.models import Action
from audit.services import record_event


@member_required(Cap.REVIEW_AUDIT)
def audit_search(request):
    membership = request.membership
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    # Logged before the search runs, so the page is consistent with its own row.
    record_event(
        action=Action.SEARCH,
        actor=request.user,
        detail={"audit_search": {k: str(v) for k, v in filters.items() if v}},
    )
    events = selectors.search_events(membership, **filters) if not form.errors else []
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "grants": selectors.break_glass_grants_in_partnership(membership)[:50],
    }
    return render(request, "audit/search.html", context)
