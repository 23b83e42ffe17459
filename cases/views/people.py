"""People: adding a party (with likely matches offered first) and merging duplicates.

Adding a party follows the GOV.UK pattern: enter details → if there are likely matches, a
page lists them with the reasons → "use this person" or "none of these – create a new
person" → saved. The entered details wait in the session between the two pages, so
nothing is created until the user has chosen.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.access import can
from accounts.decorators import member_required
from accounts.roles import Cap
from audit.models import Action
from audit.services import deny, record_event
from cases.forms.core import apply_service_errors
from cases.forms.people import (
    MatchChoiceForm,
    MergeChooseForm,
    MergeConfirmForm,
    PartyAddForm,
    PersonFilterForm,
    PersonSearchForm,
)
from cases.pagination import CappedCountPaginator
from cases.selectors import core as selectors
from cases.selectors import people as people_selectors
from cases.selectors import person_record
from cases.selectors.person_record import PersonFilters
from cases.services import people as people_services

PAGE_SIZE = 50


def _session_key(case):
    return f"party_add:{case.pk}"


def _party_form(membership, case, data=None):
    return PartyAddForm(
        data,
        advocates=selectors.advocates_for_case(membership, case),
        partnership_id=case.partnership_id,
    )


def record_match_search(request, result, where):
    """Each match search is logged: names typed to find people are a search of personal data."""
    record_event(
        action=Action.SEARCH,
        actor=request.user,
        detail={
            "people_match": where,
            "suggested": [s.person.pk for s in result.suggestions],
            "hidden_match": result.hidden_match,
        },
    )


def _add(request, case, form, person=None):
    fields = {} if person is not None else form.person_fields()
    return people_services.party_add(
        actor=request.user,
        membership=request.membership,
        case=case,
        role=form.cleaned_data["role"],
        advocate=form.cleaned_data["advocate"],
        person=person,
        **fields,
    )


@member_required(Cap.EDIT_CASE_CORE)
def party_add(request, pk):
    membership = request.membership
    case = selectors.get_case_or_404(membership, pk)
    key = _session_key(case)
    if request.method == "POST":
        form = _party_form(membership, case, request.POST)
    else:
        # Coming back from the match page: the details entered are still there.
        form = _party_form(membership, case)
        if request.GET.get("change") and request.session.get(key):
            form = _party_form(membership, case, request.session[key])
    if request.method == "POST" and form.is_valid():
        result = people_selectors.person_match(membership, form.match_query())
        record_match_search(request, result, "party")
        if result.suggestions or result.hidden_match:
            data = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
            request.session[key] = data
            return redirect("cases:party-match", pk=case.pk)
        try:
            _add(request, case, form)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            request.session.pop(key, None)
            messages.success(request, "Party added.")
            return redirect(case)
    context = {
        "form": form,
        "case": case,
        "heading": "Add a party",
        "caption": case.reference,
        "submit_label": "Continue",
        "back_url": case.get_absolute_url(),
    }
    return render(request, "cases/party_add.html", context)


@member_required(Cap.EDIT_CASE_CORE)
def party_match(request, pk):
    membership = request.membership
    case = selectors.get_case_or_404(membership, pk)
    key = _session_key(case)
    details = _party_form(membership, case, request.session.get(key))
    if not request.session.get(key) or not details.is_valid():
        return redirect("cases:party-add", pk=case.pk)
    result = people_selectors.person_match(membership, details.match_query())
    form = MatchChoiceForm(
        request.POST if request.method == "POST" else None, suggestions=result.suggestions
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            chosen_id = form.chosen_person_id()
            chosen = next((s.person for s in result.suggestions if s.person.pk == chosen_id), None)
            try:
                _add(request, case, details, person=chosen)
            except ValidationError as error:
                apply_service_errors(form, error)
                # A problem with the entered details (say, an identifier in use) belongs
                # on the details page; say so here and link back.
            else:
                request.session.pop(key, None)
                used = "Existing person added" if chosen else "New person added"
                messages.success(request, f"{used} to the case.")
                return redirect(case)
        status = 400
    context = {
        "case": case,
        "form": form,
        "result": result,
        "entered": details.cleaned_data,
        "back_url": reverse("cases:party-add", args=[case.pk]) + "?change=1",
    }
    return render(request, "cases/party_match.html", context, status=status)


def _require_merge_role(membership):
    if not can(membership, Cap.MERGE_PEOPLE):
        raise PermissionDenied("Only a police supervisor or the partnership admin merges people.")


@member_required()
def person_merge(request):
    """Step 1: find the two records (scoped search) and say which to keep."""
    membership = request.membership
    _require_merge_role(membership)
    search = PersonSearchForm(request.GET or None)
    people = []
    query = ""
    if search.is_valid():
        query = search.cleaned_data["q"].strip()
        if query:
            people = list(people_selectors.people_search(membership, query)[:PAGE_SIZE])
            record_event(
                action=Action.SEARCH,
                actor=request.user,
                detail={"people_merge_search": query, "shown": len(people)},
            )
    choose = MergeChooseForm(
        request.GET if "keep" in request.GET or "duplicate" in request.GET else None,
        people=people,
    )
    if choose.is_bound and choose.is_valid():
        url = reverse("cases:person-merge-confirm")
        keep, duplicate = choose.cleaned_data["keep"], choose.cleaned_data["duplicate"]
        return redirect(f"{url}?keep={keep}&duplicate={duplicate}")
    context = {"search": search, "query": query, "people": people, "form": choose}
    return render(
        request, "people/merge_choose.html", context, status=400 if choose.is_bound else 200
    )


@member_required()
def person_merge_confirm(request):
    """Step 2: the two records side by side; confirm with a reason."""
    membership = request.membership
    _require_merge_role(membership)
    source = request.POST if request.method == "POST" else request.GET
    if "keep" not in source and "duplicate" not in source:
        return redirect("cases:person-merge")
    keep = people_selectors.visible_person_or_none(membership, source.get("keep"))
    duplicate = people_selectors.visible_person_or_none(membership, source.get("duplicate"))
    if keep is None or duplicate is None:
        missing = source.get("keep") if keep is None else source.get("duplicate")
        deny(membership, kind="cases.Person", pk=missing, reason="person not visible")
    form = MergeConfirmForm(
        request.POST if request.method == "POST" else None,
        initial={"keep": keep.pk, "duplicate": duplicate.pk},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                people_services.person_merge(
                    actor=request.user,
                    membership=membership,
                    keep=keep,
                    duplicate=duplicate,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{duplicate.full_name} (record {duplicate.pk}) merged into "
                    f"{keep.full_name} (record {keep.pk}).",
                )
                return redirect("cases:person-merge")
        status = 400
    else:
        for person in (keep, duplicate):
            record_event(action=Action.VIEW, actor=request.user, obj=person, detail={"merge": True})
    context = {
        "form": form,
        "records": [
            ("Record to keep", keep, people_selectors.visible_parties_of(membership, keep)),
            (
                "Duplicate to merge",
                duplicate,
                people_selectors.visible_parties_of(membership, duplicate),
            ),
        ],
        "back_url": reverse("cases:person-merge"),
    }
    return render(request, "people/merge_confirm.html", context, status=status)


# The People pages ----------------------------------------------------------------------


@member_required(Cap.VIEW_CASES)
def person_list(request):
    """People the member may see, searchable by name, identifier and date of birth."""
    membership = request.membership
    form = PersonFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else PersonFilters()
    page = CappedCountPaginator(person_record.person_list(membership, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    record_event(
        action=Action.SEARCH if not filters.is_empty() else Action.LIST,
        actor=request.user,
        detail={
            "list": "people",
            "q": filters.q,
            "date_of_birth": filters.date_of_birth.isoformat() if filters.date_of_birth else "",
            "page": page.number,
            "shown": len(page.object_list),
        },
    )
    context = {"form": form, "page": page, "filters": filters}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "people/person_list.html", context, status=status)


@member_required(Cap.VIEW_CASES)
def person_detail(request, pk):
    """One person: names, identifiers, the cases the reader can see them in, and contact
    details only where the reader may see them."""
    membership = request.membership
    person = person_record.get_person_or_404(membership, pk)
    record = person_record.person_record(membership, person)
    record_event(
        action=Action.VIEW,
        actor=request.user,
        obj=person,
        detail={"contact_shown": record.contact is not None},
    )
    context = {
        "person": person,
        "record": record,
        "can_merge": can(membership, Cap.MERGE_PEOPLE),
    }
    return render(request, "people/person_detail.html", context)
