"""The partnership admin's programme pages: national programmes (read-only) and the
partnership's own, added and edited without code."""

from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.decorators import member_required
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from interventions.forms.programmes import ProgrammeForm
from interventions.selectors import programmes as programme_selectors
from interventions.services import programmes as programme_services

from .enrolments import _form_page, _saved

admin_required = member_required(Cap.MANAGE_PARTNERSHIP)


@admin_required
def programme_list(request):
    record_event(action=Action.LIST, actor=request.user, detail={"page": "programmes"})
    programmes = programme_selectors.programmes_for_admin(request.membership)
    return render(request, "interventions/programme_list.html", {"programmes": programmes})


def _context():
    return {"back_url": reverse("interventions:programme-list")}


@admin_required
def programme_new(request):
    membership = request.membership
    form = ProgrammeForm(
        request.POST if request.method == "POST" else None,
        partnership_id=membership.agency.partnership_id,
        initial={"session_minutes": 60, "absence_alert_threshold": 2, "active": True},
    )
    if _saved(request, form, programme_services.programme_add, "Programme added.", form.values):
        return redirect("interventions:programme-list")
    return _form_page(request, _context(), form, "Add a local programme", "Add programme")


@admin_required
def programme_edit(request, pk):
    membership = request.membership
    programme = programme_selectors.get_local_programme_or_404(membership, pk)
    initial = {field: getattr(programme, field) for field in programme_services.FIELDS}
    initial["criteria"] = "\n".join(c.label for c in programme.eligibility_criteria.all())
    form = ProgrammeForm(
        request.POST if request.method == "POST" else None,
        programme=programme,
        partnership_id=membership.agency.partnership_id,
        initial=initial,
    )
    if _saved(
        request,
        form,
        programme_services.programme_edit,
        "Programme saved.",
        form.values,
        programme=programme,
    ):
        return redirect("interventions:programme-list")
    context = _context()
    context["caption"] = f"Code {programme.code}"
    return _form_page(request, context, form, f"Change {programme.name}", "Save programme")
