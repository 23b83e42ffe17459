"""Report runs: the pages (being built)."""

from django.http import Http404

from accounts.decorators import member_required


@member_required()
def run_detail(request, pk):
    raise Http404
