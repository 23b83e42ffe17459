"""Reads of reference data for a member's partnership: national codes and local ones."""

from django.db.models import Q

from audit.services import visible_or_404
from cases.models import CodeList, ReferenceCode, code_choices


def codes_for(membership, *, code_list=None):
    """Every version of every code the member's partnership uses (national + local)."""
    codes = ReferenceCode.objects.for_partnership(membership.agency.partnership_id)
    if code_list:
        codes = codes.of(code_list)
    return codes.select_related("supersedes").order_by(
        "code_list", "sort_order", "code", "-version"
    )


def code_lists_for(membership):
    """[(code_list value, label, [codes…])] in the order of CodeList, for the admin page."""
    grouped = {value: [] for value in CodeList.values}
    for code in codes_for(membership):
        grouped.setdefault(code.code_list, []).append(code)
    return [(value, CodeList(value).label, grouped[value]) for value in CodeList.values]


def current_codes(membership, code_list):
    return code_choices(code_list, membership.agency.partnership_id)


def choosable(code_list, partnership_id, *, keep=()):
    """Current codes, plus any codes a record already holds (retired or superseded), so
    editing a record does not silently drop its existing value."""
    keep_ids = [code.pk if hasattr(code, "pk") else code for code in keep if code]
    current = code_choices(code_list, partnership_id).values("pk")
    return ReferenceCode.objects.filter(Q(pk__in=current) | Q(pk__in=keep_ids)).order_by(
        "sort_order", "code", "-version"
    )


def get_code_or_404(membership, pk):
    """A code the member's partnership can see (national or its own)."""
    return visible_or_404(membership, codes_for(membership), pk)


def get_local_code_or_404(membership, pk):
    """One of the partnership's own codes; national codes are not editable (404 here)."""
    code = visible_or_404(
        membership,
        ReferenceCode.objects.filter(
            partnership_id=membership.agency.partnership_id
        ).select_related("supersedes"),
        pk,
    )
    return code
