"""Reads for meeting minutes: which meetings a member may read, which of a meeting's
discussed cases a reader may see (their "audience"), and the content of one audience's
minutes.

Redaction is decided here, in one place, by the reader's case visibility:

* a case not visible to the reader (cases.selectors.core.cases_visible_to) is left out
  entirely: no reference, name, discussion or action of it appears;
* victim contact details (address, postcode, phone, email, workplace) are never part of
  minutes, for any reader. Minutes reach perpetrator-facing readers (health clinicians
  working with the perpetrator, probation) and are printed and passed round, so DESIGN §4
  ("no output that can reach a perpetrator-facing reader carries victim contact")
  applies to every version: the content below never reads those fields, and every
  MinutesFile has contact_withheld=True. Parties appear by name and role only.
* free text written at the meeting (summary, rationale, decision note, action text) is
  printed as written: the forms ask writers not to type contact details into it.
"""

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Prefetch

from accounts.access import sees_whole_partnership
from accounts.models import Membership
from audit.services import deny
from cases.models import CaseParty
from cases.selectors.core import cases_visible_to
from triage.models import (
    Action,
    AgendaItem,
    Attendance,
    CaseDiscussion,
    MeetingStatus,
    MinutesFile,
)

# Who may read a meeting is the clinics' rule: members of attending agencies and
# partnership-wide roles.
from triage.selectors.clinics import get_meeting_or_404, meetings_visible_to  # noqa: F401

AUDIENCE_VERSION = "minutes-v1"


def discussed_case_ids(meeting):
    return sorted(
        set(CaseDiscussion.objects.filter(meeting=meeting).values_list("case_id", flat=True))
    )


def audience_key(case_ids):
    """The same cases give the same key: readers who see the same cases share one file.
    Contact is always withheld, and the key says so, so a future policy change cannot
    reuse a file made under this one."""
    ids = ",".join(str(pk) for pk in sorted(set(case_ids)))
    return hashlib.sha256(f"{AUDIENCE_VERSION}|contact-withheld|{ids}".encode()).hexdigest()


@dataclass(frozen=True)
class Audience:
    case_ids: tuple
    key: str

    @classmethod
    def of(cls, case_ids):
        ids = tuple(sorted(set(case_ids)))
        return cls(case_ids=ids, key=audience_key(ids))


def audience_for(membership, meeting, discussed=None):
    """The discussed cases this reader may see."""
    discussed = discussed_case_ids(meeting) if discussed is None else discussed
    if sees_whole_partnership(membership):
        visible = discussed
    else:
        visible = cases_visible_to(membership).filter(pk__in=discussed).values_list("pk", flat=True)
    return Audience.of(visible)


PARTNERSHIP_WIDE_LABEL = "Partnership-wide: includes cases not shared with every agency"


@dataclass(frozen=True)
class Readers:
    """Who gets one audience's file: the agencies whose readers have that view (all of an
    agency's readers, or some of them, e.g. one with break-glass access), and whether it is
    the partnership-wide view (the chair and the partnership admin)."""

    label: str
    agency_ids: tuple = ()
    partnership_wide: bool = False


def _readers_label(agencies, counts, partnership_wide, everyone_whole):
    parts = []
    for agency in agencies:
        got, total = counts[agency.pk]
        parts.append(agency.name if got == total else f"{agency.name} ({got} of {total} readers)")
    if partnership_wide and not everyone_whole:
        return PARTNERSHIP_WIDE_LABEL + (f"; also {', '.join(parts)}" if parts else "")
    if partnership_wide:
        parts.append("partnership-wide roles")
    return ", ".join(parts) if parts else "No agency's readers"


def audiences_of_meeting(meeting):
    """Every audience the minutes job produces, with its readers: one per distinct view
    among the usable members of the attending agencies, plus the partnership-wide one (all
    discussed cases, read by partnership-wide roles). Returns {key: (Audience, Readers)}."""
    discussed = discussed_case_ids(meeting)
    whole = Audience.of(discussed)
    members = (
        Membership.objects.usable()
        .filter(agency__in=meeting.clinic.agencies.all())
        .select_related("agency", "agency__partnership")
        .order_by("agency__name", "pk")
    )
    audiences = OrderedDict([(whole.key, whole)])
    getters = {}  # key -> {agency pk: readers who get it}
    totals = {}  # agency pk -> its readers
    agencies = {}
    for membership in members:
        if sees_whole_partnership(membership):
            continue  # reads the partnership-wide version, whatever their agency
        audience = audience_for(membership, meeting, discussed)
        audiences.setdefault(audience.key, audience)
        agencies[membership.agency_id] = membership.agency
        totals[membership.agency_id] = totals.get(membership.agency_id, 0) + 1
        by_agency = getters.setdefault(audience.key, {})
        by_agency[membership.agency_id] = by_agency.get(membership.agency_id, 0) + 1
    everyone_whole = all(
        getters.get(whole.key, {}).get(pk, 0) == total for pk, total in totals.items()
    )
    result = OrderedDict()
    for key, audience in audiences.items():
        got = getters.get(key, {})
        named = [agencies[pk] for pk in sorted(got, key=lambda pk: agencies[pk].name)]
        counts = {pk: (got[pk], totals[pk]) for pk in got}
        wide = key == whole.key
        result[key] = (
            audience,
            Readers(
                label=_readers_label(named, counts, wide, everyone_whole),
                agency_ids=tuple(sorted(got)),
                partnership_wide=wide,
            ),
        )
    return result


def readers_of(meeting, audience):
    """The readers of one audience (made on first download for a view the job did not
    see, e.g. a case shared after the meeting closed: named by today's readers)."""
    found = audiences_of_meeting(meeting).get(audience.key)
    return found[1] if found else Readers(label="No agency's readers")


def minutes_file_for(meeting, audience):
    """The current version's file for this audience, or None (not made yet)."""
    return MinutesFile.objects.filter(
        meeting=meeting,
        audience_key=audience.key,
        version=meeting.minutes_version,
        superseded_at__isnull=True,
    ).first()


def minutes_files_for_reader(membership, meeting, audience=None):
    """The files of a meeting this reader may download, newest version first: every file
    whose cases they can all see and that was made for their agency's readers (the
    partnership-wide roles: every file). Earlier versions, superseded when the chair
    reopened the meeting, are included. Two queries."""
    audience = audience or audience_for(membership, meeting)
    visible = set(audience.case_ids)
    wide = sees_whole_partnership(membership)
    files = MinutesFile.objects.filter(meeting=meeting).order_by(
        "-version", "-partnership_wide", "prepared_for", "pk"
    )
    return [
        minutes
        for minutes in files
        if set(minutes.case_ids) <= visible
        and (wide or membership.agency_id in (minutes.agency_ids or []))
    ]


def get_minutes_file_or_404(membership, meeting, pk):
    for minutes in minutes_files_for_reader(membership, meeting):
        if minutes.pk == pk:
            return minutes
    deny(membership, kind=MinutesFile._meta.label, pk=pk)


# ---------------------------------------------------------------- content


@dataclass
class CaseMinutes:
    case: object
    discussion: object
    parties: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    typologies: list = field(default_factory=list)

    @property
    def classification_label(self):
        return self.discussion.classification_label


@dataclass
class MinutesContent:
    meeting: object
    attendance: list  # [(agency name, [Attendance])]
    cases: list  # [CaseMinutes], in agenda order
    case_ids: tuple


OTHER_ORGANISATIONS = "Guests from other organisations"


def minutes_content(meeting, audience):
    """What one audience's minutes hold; a fixed number of queries whatever the size."""
    attendance_rows = list(
        Attendance.objects.filter(meeting=meeting)
        .select_related("agency", "user")
        .order_by("agency__name", "organisation", "name", "user__full_name", "pk")
    )
    # By agency; guests from other organisations last, each named with its organisation.
    attendance_rows.sort(key=lambda a: (a.agency_id is None, a.agency.name if a.agency_id else ""))
    attendance = [
        (name, list(rows))
        for name, rows in groupby(
            attendance_rows,
            key=lambda a: a.agency.name if a.agency_id else OTHER_ORGANISATIONS,
        )
    ]
    discussions = (
        CaseDiscussion.objects.filter(meeting=meeting, case_id__in=audience.case_ids)
        .select_related("case", "recorded_by")
        .prefetch_related(
            "typologies",
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("owner_agency", "owner").order_by(
                    "due_on", "pk"
                ),
            ),
        )
        .order_by("case_id", "-version")
    )
    latest = {}
    for discussion in discussions:
        latest.setdefault(discussion.case_id, discussion)
    parties = {}
    for party in (
        CaseParty.objects.filter(case_id__in=latest)
        .select_related("person")
        .only("case_id", "role", "person__given_names", "person__family_name")
        .order_by("case_id", "role", "person__family_name")
    ):
        parties.setdefault(party.case_id, []).append(party)
    positions = dict(
        AgendaItem.objects.filter(meeting=meeting, case_id__in=latest).values_list(
            "case_id", "position"
        )
    )
    ordered = sorted(latest.values(), key=lambda d: (positions.get(d.case_id, 10**9), d.case_id))
    cases = [
        CaseMinutes(
            case=d.case,
            discussion=d,
            parties=parties.get(d.case_id, []),
            actions=list(d.actions.all()),
            typologies=[t.label for t in d.typologies.all()],
        )
        for d in ordered
    ]
    return MinutesContent(
        meeting=meeting,
        attendance=attendance,
        cases=cases,
        case_ids=audience.case_ids,
    )


def is_closed(meeting):
    return meeting.status == MeetingStatus.CLOSED


def case_references(case_ids):
    """[{id, reference}] for cases already known to be in the reader's audience."""
    from cases.models import Case

    return list(Case.objects.filter(pk__in=case_ids).order_by("pk").values("id", "reference"))
