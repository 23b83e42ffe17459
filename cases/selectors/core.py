"""Every read of case data for a request starts here, scoped to the acting membership."""

from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.db.models import (
    BooleanField,
    Exists,
    Expression,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
)
from django.http import Http404

from accounts.access import person_contact_for, sees_whole_partnership
from accounts.models import Agency, Membership, User
from accounts.roles import AgencyKind, Role
from audit.models import BreakGlassGrant
from audit.services import NOT_FOUND, as_id, record_denial
from cases.models import (
    Case,
    CaseAgency,
    CaseGroupObjectPermission,
    CaseParty,
    Person,
    Referral,
)
from cases.models.external import external_id_filter

VIEW_CASE = "view_case"


def _granted_to_agency(membership):
    return CaseGroupObjectPermission.objects.filter(
        group_id=membership.agency.group_id, permission_id=_view_case_permission_id()
    )


def _view_case_permission_id():
    """The view_case permission as a subquery (PostgreSQL runs it once, as an InitPlan):
    the grant index (group, permission, case) is then probed directly, without a join."""
    return Subquery(
        Permission.objects.filter(
            codename=VIEW_CASE, content_type__app_label="cases", content_type__model="case"
        ).values("pk")[:1]
    )


def _broken_glass(membership):
    return BreakGlassGrant.objects.active().filter(user_id=membership.user_id)


class _ProbedExists(Exists):
    """EXISTS that PostgreSQL must evaluate row by row ("OFFSET 0" stops it from turning the
    subquery into a hash of every matching row)."""

    def as_sql(self, compiler, connection, template=None, **extra_context):
        return super().as_sql(
            compiler, connection, template="EXISTS(%(subquery)s OFFSET 0)", **extra_context
        )


# Row-by-row probing pays while the walk is short; a deep page (offset 9,950 for a
# clinician who sees a third of the cases walks 30,000 rows) or the capped count (10,001
# rows) is cheaper hashed.
PROBE_ROWS = 1_000


class SharedOrBrokenGlass(Expression):
    """The visibility condition of cases_visible_to, in the form that suits the query it
    ends up in (decided when the SQL is compiled, so the rule itself is written once).

    - A query that stops after at most PROBE_ROWS rows (a list page: ORDER BY -opened_on,
      -id LIMIT 25; ``.first()``; ``.filter(pk=...).exists()``) probes the grant index
      (group, permission, case) row by row, so PostgreSQL walks the case index in order and
      stops after the page: about a millisecond whether the agency sees all 100,000 cases
      or a sixth of them. (An agency that sees very few cases of a large partnership walks
      further before the page is full.)
    - Anything else (the capped count, deep pages, "pk IN (visible cases)" subqueries)
      hashes the agency's grants once: its cost follows the agency's share of cases, not
      the partnership's size. Row-by-row probing there cost 2-4x more for a partly-shared
      agency (benchmarks/run.py).
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, hashed, probed):
        super().__init__()
        self.hashed, self.probed = hashed, probed

    def get_source_expressions(self):
        return [self.hashed, self.probed]

    def set_source_expressions(self, exprs):
        self.hashed, self.probed = exprs

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        # Also called again, on the resolved WhereNodes, when the queryset is nested in
        # another query (an EXISTS with OuterRef): both forms are resolved each time.
        clone = self.copy()
        args = (query, allow_joins, reuse, summarize, for_save)
        clone.hashed = self.hashed.resolve_expression(*args)
        clone.probed = self.probed.resolve_expression(*args)
        return clone

    def as_sql(self, compiler, connection):
        limit = compiler.query.high_mark
        walked = limit is not None and limit <= PROBE_ROWS
        sql, params = compiler.compile(self.probed if walked else self.hashed)
        return f"({sql})", params


def visibility_condition(membership):
    """Shared with the member's agency (a guardian grant to its group) or opened by the
    member's active break-glass: the one rule, for Case querysets."""
    granted, broken = _granted_to_agency(membership), _broken_glass(membership)
    hashed = Q(pk__in=granted.values("content_object_id")) | Q(pk__in=broken.values("case_id"))
    probed = Q(_ProbedExists(granted.filter(content_object_id=OuterRef("pk")))) | Q(
        _ProbedExists(broken.filter(case_id=OuterRef("pk")))
    )
    return SharedOrBrokenGlass(hashed, probed)


def on_visible_case(membership, case_field="case_id"):
    """The visibility rule of cases_visible_to for rows that belong to a case (a task, an
    action): probed row by row on the grant index, for the few rows one agency owns, so a
    count of them does not hash every grant of the agency. Same grants, same break-glass,
    same partnership-wide roles."""
    if sees_whole_partnership(membership):
        return Q()
    granted, broken = _granted_to_agency(membership), _broken_glass(membership)
    return Q(_ProbedExists(granted.filter(content_object_id=OuterRef(case_field)))) | Q(
        _ProbedExists(broken.filter(case_id=OuterRef(case_field)))
    )


def cases_visible_to(membership):
    """Cases of the member's partnership that are shared with their agency (a guardian
    grant to the agency group), opened by break-glass, or all of them for a
    partnership-wide role. See SharedOrBrokenGlass for the SQL each kind of query gets.
    """
    cases = Case.objects.filter(partnership_id=membership.agency.partnership_id)
    if sees_whole_partnership(membership):
        return cases
    return cases.filter(visibility_condition(membership))


def _people_matching(partnership_id, search):
    """People whose names contain every word searched for (trigram-indexed on PostgreSQL)."""
    people = Person.objects.filter(partnership_id=partnership_id)
    for word in search.split()[:4]:
        people = people.filter(Q(family_name__icontains=word) | Q(given_names__icontains=word))
    return people


def case_list(membership, *, search="", external_source="", external_id=""):
    cases = cases_visible_to(membership).select_related("lead_agency", "officer_in_charge")
    cases = external_id_filter(cases, source=external_source, external_id=external_id)
    search = search.strip()
    if search:
        people = _people_matching(membership.agency.partnership_id, search)
        by_party = CaseParty.objects.filter(person__in=people).values("case_id")
        cases = cases.filter(Q(reference__icontains=search) | Q(pk__in=by_party))
    return cases


def visible_case_ids(membership, case_ids):
    """Which of these cases the member may open: one query, for linking list rows."""
    case_ids = {pk for pk in case_ids if pk is not None}
    if not case_ids:
        return set()
    # Ordered and limited, so the few ids are checked one by one (SharedOrBrokenGlass)
    # instead of hashing every grant of the agency.
    visible = cases_visible_to(membership).filter(pk__in=case_ids).order_by("pk")
    return set(visible.values_list("pk", flat=True)[: len(case_ids)])


def get_case_or_404(membership, pk):
    """The case if visible; otherwise a 404 and a denial row (audit.services.deny).

    Only the member's own partnership is searched, so another partnership's case is never
    read: the denial row records the id asked for and, for a case of the member's own
    partnership that is not shared with them, links that case (the partnership's own data,
    for its audit page). A missing id and an out-of-scope one get the same answer.

    One case is checked with direct lookups (its grant, an active break-glass), which stay
    cheap however many cases the agency holds; lists use cases_visible_to.
    """
    key = as_id(pk)
    case = (
        Case.objects.filter(pk=key, partnership_id=membership.agency.partnership_id)
        .select_related("lead_agency", "officer_in_charge", "partnership")
        .first()
        if key is not None
        else None
    )
    if case is not None and (
        is_case_visible_by_link(membership, case) or active_break_glass(membership, case)
    ):
        return case
    record_denial(
        membership=membership,
        kind=Case._meta.label,
        pk=pk,
        case=case,
        reason="case not shared with agency",
    )
    raise Http404(NOT_FOUND)


def case_by_reference_in_partnership(membership, reference):
    """For break-glass only: a case of the member's own partnership, found by reference."""
    return Case.objects.filter(
        partnership_id=membership.agency.partnership_id, reference__iexact=reference.strip()
    ).first()


def is_case_visible_by_link(membership, case):
    """True when the case is visible without break-glass."""
    if sees_whole_partnership(membership):
        return case.partnership_id == membership.agency.partnership_id
    return CaseGroupObjectPermission.objects.filter(
        group_id=membership.agency.group_id, permission__codename=VIEW_CASE, content_object=case
    ).exists()


def active_break_glass(membership, case):
    return (
        BreakGlassGrant.objects.active()
        .filter(user_id=membership.user_id, case=case)
        .order_by("-expires_at")
        .first()
    )


@dataclass(frozen=True)
class PartyView:
    """A case party as one reader may see it: contact is None when withheld."""

    party: CaseParty
    contact: dict | None
    # A victim's advocacy support: [{"agency", "status"}] (advocacy.selectors.support_on_case)
    support: tuple = ()

    @property
    def person(self):
        return self.party.person

    @property
    def contact_withheld(self):
        return self.contact is None


def parties_for(membership, case, *, support=None):
    """The parties as this reader may see them; ``support`` maps victim party ids to what
    anyone may know of their advocacy support."""
    support = support or {}
    parties = (
        CaseParty.objects.filter(case=case)
        .select_related("person", "advocate")
        .prefetch_related("person__aliases", "person__identifiers")
    )
    return [
        PartyView(p, person_contact_for(membership, case, p), tuple(support.get(p.pk, ())))
        for p in parties
    ]


def is_shared_with_agency(membership, case):
    """Whether the case is shared with the member's agency itself (a grant), not only open
    to them by break-glass."""
    return _granted_to_agency(membership).filter(content_object_id=case.pk).exists()


def shared_agencies(case):
    return CaseAgency.objects.filter(case=case).select_related("agency", "shared_by")


def agencies_to_share_with(membership, case):
    already = CaseAgency.objects.filter(case=case).values("agency_id")
    return Agency.objects.filter(partnership_id=case.partnership_id, active=True).exclude(
        pk__in=already
    )


def partnership_agencies(membership):
    return Agency.objects.filter(partnership_id=membership.agency.partnership_id, active=True)


def _members_of_partnership(membership, **membership_filters):
    usable = Membership.objects.usable().filter(
        agency__partnership_id=membership.agency.partnership_id, **membership_filters
    )
    return User.objects.filter(pk__in=usable.values("user_id"))


def police_officers(membership):
    return _members_of_partnership(membership, agency__kind=AgencyKind.POLICE)


def advocates_for_case(membership, case):
    """Advocates in agencies the case is shared with: who may hold a victim's contact details."""
    return _members_of_partnership(membership, role=Role.ADVOCATE, agency__case_links__case=case)


SELF_REFERRAL_VIA_ADVOCACY = "self_via_advocacy"


def referrals_visible_to(membership):
    """The one rule for which referrals a member sees (lists, detail, filters, counts, the
    API, the people named in them):

    - partnership-wide roles (clinic chair, partnership admin): every referral of the
      partnership; the chair screens advocacy self-referrals;
    - every agency: the referrals it made, and those on a case visible to it;
    - police agencies also: the referrals waiting for them to screen, i.e. those with no
      case yet that are not self-referrals via advocacy (an advocacy self-referral is
      screened through the advocacy-led route and the clinic chair, never by police).

    Which fields a reader sees is decided by ``case_shown``: the case (its id, reference
    and link) only when the reader may see that case. Each referral carries that answer as
    ``case_visible`` (an annotation), so a list needs no extra query.
    """
    partnership_id = membership.agency.partnership_id
    referrals = Referral.objects.filter(partnership_id=partnership_id)
    if sees_whole_partnership(membership):
        return referrals.annotate(
            case_visible=ExpressionWrapper(Q(case_id__isnull=False), output_field=BooleanField())
        )
    visible_cases = cases_visible_to(membership).values("pk")
    rule = Q(referring_agency_id=membership.agency_id) | Q(case_id__in=visible_cases)
    if membership.agency.is_police:
        rule |= Q(case_id__isnull=True) & ~Q(source__code=SELF_REFERRAL_VIA_ADVOCACY)
    return referrals.filter(rule).annotate(
        case_visible=ExpressionWrapper(
            Q(case_id__in=cases_visible_to(membership).values("pk")),
            output_field=BooleanField(),
        )
    )


def case_shown(membership, referral):
    """True when the reader may see the referral's case (its id, reference and link)."""
    if referral.case_id is None:
        return False
    shown = getattr(referral, "case_visible", None)
    if shown is None:
        shown = bool(visible_case_ids(membership, [referral.case_id]))
    return bool(shown)


def referral_list(membership):
    return referrals_visible_to(membership).select_related("referring_agency", "case", "created_by")
