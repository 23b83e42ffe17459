"""The daily reminder job: one notification per recipient per due event, and one digest
email per recipient listing what is new.

Set-based: each kind is one query for its due rows (already-reminded events are left out by
an anti-join on the ReminderSent ledger), recipients come from one query of usable
memberships, and notifications and ledger rows are written with bulk_create in batches.
A second run the same day (or the next day) finds no unsent events and writes nothing; the
unique (recipient, event_key) constraint on Notification is the last guard against a race.

Nothing personal goes into a title, body or email: case references, dates, clinic names
and links only (email leaves the secure system). The advocacy kinds (first contact and next
contact overdue, safety plan review due) go to the episode's advocate or the holding
agency's advocacy members and say the kind, a date and the episode's link, nothing of the
compartment. The interventions kinds (session tomorrow, attendance not recorded the day after
a session, post measure due once an enrolment completes without one) go to the enrolment's
practitioner or the provider agency's clinicians, with the enrolment's link, nothing
clinical. End report due is not sent yet: the end-of-intervention report is not built.
"""

import logging
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
from audit.models import Action as AuditAction
from audit.services import record_event
from reporting.models import Notification, NotificationKind
from reporting.selectors import reminders as sources

logger = logging.getLogger(__name__)

EVENT_BATCH = 2_000
INSERT_BATCH = 1_000
DIGEST_LINES = 30
_PLACEHOLDER = 987654321


def _day(value):
    return f"{value:%-d %B %Y}"


class _Links:
    """Paths for notification links, resolved once per run (other areas' pages may not
    exist yet: each link falls back to the case page, or the clinics list)."""

    def __init__(self):
        self.case = self._pattern(("cases:detail",))
        self.action = self._pattern(("triage:actions-detail", "triage:action-detail")) or None
        self.assessment = self._pattern(("risk:assessment-detail",)) or None
        self.meeting = self._pattern(("triage:meeting-detail", "triage:meeting"))
        self.clinics = self._plain("triage:clinic-list")
        self.episode = self._pattern(("advocacy:episode-detail",))
        self.enrolment = self._pattern(("interventions:enrolment-detail",))
        self.victim_notification = self._pattern(("cases:victim-notification",))

    @staticmethod
    def _pattern(names):
        for name in names:
            try:
                return reverse(name, args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{pk}")
            except NoReverseMatch:
                continue
        return ""

    @staticmethod
    def _plain(name):
        try:
            return reverse(name)
        except NoReverseMatch:
            return ""

    def for_case(self, case_id):
        return self.case.format(pk=case_id)

    def for_action(self, action_id, case_id):
        return self.action.format(pk=action_id) if self.action else self.for_case(case_id)

    def for_assessment(self, assessment_id, case_id):
        if self.assessment:
            return self.assessment.format(pk=assessment_id)
        return self.for_case(case_id)

    def for_episode(self, episode_id, case_id):
        return self.episode.format(pk=episode_id) if self.episode else self.for_case(case_id)

    def for_enrolment(self, enrolment_id, case_id):
        if self.enrolment:
            return self.enrolment.format(pk=enrolment_id)
        return self.for_case(case_id)

    def for_victim_notification(self, task_id, case_id):
        if self.victim_notification:
            return self.victim_notification.format(pk=task_id)
        return self.for_case(case_id)

    def for_meeting(self, meeting_id):
        return self.meeting.format(pk=meeting_id) if self.meeting else self.clinics


@dataclass
class _Event:
    kind: str
    object_id: int
    due_on: object
    partnership_id: int
    case_id: int | None
    key: str
    title: str
    body: str
    link: str
    recipients: list = field(default_factory=list)


def _unique(user_ids):
    return list(dict.fromkeys(u for u in user_ids if u is not None))


def _action_events(rows, kind, recipients, links, today):
    for row in rows:
        pk, case_ref, due = row["pk"], row["case__reference"], row["due_on"]
        pid, agency_id = row["partnership_id"], row["owner_agency_id"]
        if kind == NotificationKind.ACTION_ESCALATED:
            to = recipients.supervisors[agency_id] or recipients.chairs[pid]
            late = (today - due).days
            title = (
                f"Escalated: action on case {case_ref} still open {late} days after its due date"
            )
            key = f"action:{pk}:escalated:{due}"
        else:
            owner = row["owner_id"]
            owner_usable = recipients.usable_in_partnership(owner, pid)
            to = [owner] if owner_usable else recipients.action_workers[agency_id]
            if kind == NotificationKind.ACTION_DUE:
                title = f"Action due tomorrow on case {case_ref}"
                key = f"action:{pk}:due:{due}"
            else:
                title = f"Action overdue on case {case_ref}"
                key = f"action:{pk}:overdue:{due}"
        yield _Event(
            kind=kind,
            object_id=pk,
            due_on=due,
            partnership_id=pid,
            case_id=row["case_id"],
            key=key,
            title=title,
            body=f"Action {pk} for {row['owner_agency__name']}, due {_day(due)}.",
            link=links.for_action(pk, row["case_id"]),
            recipients=_unique(to),
        )


def _risk_review_events(rows, recipients, links):
    kind = NotificationKind.RISK_REVIEW_DUE
    for row in rows:
        pk, due, agency_id = row["pk"], row["review_due_on"], row["agency_id"]
        assessor = row["assessor_id"]
        if (assessor, agency_id) in recipients.memberships:
            to = [assessor]
        else:
            to = recipients.assessors[agency_id]
        tool = row["instrument_version__instrument__name"]
        yield _Event(
            kind=kind,
            object_id=pk,
            due_on=due,
            partnership_id=row["case__partnership_id"],
            case_id=row["case_id"],
            key=f"assessment:{pk}:review:{due}",
            title=f"Risk review due on case {row['case__reference']}",
            body=f"The {tool} assessment {pk} is due for review on {_day(due)}.",
            link=links.for_assessment(pk, row["case_id"]),
            recipients=_unique(to),
        )


def _case_review_events(rows, recipients, links):
    kind = NotificationKind.CASE_REVIEW_DUE
    for row in rows:
        case_id, due, pid = row["case_id"], row["next_review_on"], row["case__partnership_id"]
        oic = row["case__officer_in_charge_id"]
        to = [oic] if recipients.usable_in_partnership(oic, pid) else []
        to += recipients.chairs[pid]
        yield _Event(
            kind=kind,
            object_id=case_id,
            due_on=due,
            partnership_id=pid,
            case_id=case_id,
            key=f"case:{case_id}:review:{due}",
            title=f"Case {row['case__reference']} due for clinic review",
            body=f"The clinic set a review date of {_day(due)}.",
            link=links.for_case(case_id),
            recipients=_unique(to),
        )


def _allocated_or_pool(pool, allocated_id):
    """The allocated worker (advocate, practitioner) while they may still work in the agency
    that holds the record; else (none allocated, or no longer usable there) that agency's
    pool of workers. The compartment: nobody outside the holding agency."""
    if allocated_id is not None and allocated_id in pool:
        return [allocated_id]
    return pool


# The advocacy kinds: (event key part, title, body); bodies carry a date and the episode id
# only, never the victim's name, a contact summary or plan text (the compartment).
_ADVOCACY_TEXT = {
    NotificationKind.FIRST_CONTACT_OVERDUE: (
        "first-contact",
        "First contact overdue on case {ref}",
        "Support episode {pk}: first contact with the victim was due by {day}.",
    ),
    NotificationKind.NEXT_CONTACT_OVERDUE: (
        "next-contact",
        "Next contact overdue on case {ref}",
        "Support episode {pk}: the next contact was due on {day}.",
    ),
    NotificationKind.SAFETY_PLAN_REVIEW_DUE: (
        "plan-review",
        "Safety plan review due on case {ref}",
        "Support episode {pk}: the safety plan is due for review on {day}.",
    ),
}


def _record_events(rows, kind, *, texts, prefix, link, pool, agency, allocated):
    """Events of a kind whose rows are one record each (an episode, an enrolment) with
    pk, due_on, partnership_id, case_id and case__reference: to the allocated worker, else
    the holding agency's ``pool``; ids and a date only."""
    part, title, body = texts[kind]
    for row in rows:
        pk, due, case_id = row["pk"], row["due_on"], row["case_id"]
        yield _Event(
            kind=kind,
            object_id=pk,
            due_on=due,
            partnership_id=row["partnership_id"],
            case_id=case_id,
            key=f"{prefix}:{pk}:{part}:{due}",
            title=title.format(ref=row["case__reference"]),
            body=body.format(pk=pk, day=_day(due)),
            link=link(pk, case_id),
            recipients=_unique(_allocated_or_pool(pool[row[agency]], row[allocated])),
        )


def _episode_events(rows, kind, recipients, links):
    """First contact and next contact overdue: rows are episodes."""
    return _record_events(
        rows,
        kind,
        texts=_ADVOCACY_TEXT,
        prefix="episode",
        link=links.for_episode,
        pool=recipients.advocacy_workers,
        agency="advocacy_agency_id",
        allocated="advocate_id",
    )


def _plan_review_events(rows, recipients, links):
    """Safety plan reviews: rows are current plans; the event is the episode's (a new
    version with the same review date is not a new event, a new review date is)."""
    kind = NotificationKind.SAFETY_PLAN_REVIEW_DUE
    part, title, body = _ADVOCACY_TEXT[kind]
    for row in rows:
        pk, due, case_id = row["episode_id"], row["review_on"], row["episode__case_id"]
        to = _allocated_or_pool(
            recipients.advocacy_workers[row["episode__advocacy_agency_id"]],
            row["episode__advocate_id"],
        )
        yield _Event(
            kind=kind,
            object_id=pk,
            due_on=due,
            partnership_id=row["episode__partnership_id"],
            case_id=case_id,
            key=f"episode:{pk}:{part}:{due}",
            title=title.format(ref=row["episode__case__reference"]),
            body=body.format(pk=pk, day=_day(due)),
            link=links.for_episode(pk, case_id),
            recipients=_unique(to),
        )


# The session kinds: (event key part, title, body); a date and ids only, never a name or
# anything clinical.
_SESSION_TEXT = {
    NotificationKind.SESSION_TOMORROW: (
        "tomorrow",
        "Intervention session tomorrow on case {ref}",
        "Enrolment {enrolment}: session {pk} is booked for {day}.",
    ),
    NotificationKind.ATTENDANCE_NOT_RECORDED: (
        "attendance",
        "Attendance not recorded on case {ref}",
        "Enrolment {enrolment}: record the attendance of session {pk} on {day}.",
    ),
}


def _session_events(rows, kind, recipients, links):
    part, title, body = _SESSION_TEXT[kind]
    for row in rows:
        pk, due, enrolment = row["pk"], row["due_on"], row["enrolment_id"]
        case_id = row["enrolment__case_id"]
        yield _Event(
            kind=kind,
            object_id=pk,
            due_on=due,
            partnership_id=row["enrolment__partnership_id"],
            case_id=case_id,
            key=f"session:{pk}:{part}:{due}",
            title=title.format(ref=row["enrolment__case__reference"]),
            body=body.format(enrolment=enrolment, pk=pk, day=_day(due)),
            link=links.for_enrolment(enrolment, case_id),
            recipients=_unique(
                _allocated_or_pool(
                    recipients.intervention_workers[row["enrolment__provider_agency_id"]],
                    row["enrolment__practitioner_id"],
                )
            ),
        )


# The enrolment kinds: (event key part, title, body); ids and dates only, nothing clinical.
_ENROLMENT_TEXT = {
    NotificationKind.POST_MEASURE_DUE: (
        "post-measure",
        "Post-intervention measure due on case {ref}",
        "Enrolment {pk} completed on {day}: record the post measures.",
    ),
    NotificationKind.END_REPORT_DUE: (
        "end-report",
        "End-of-intervention report due on case {ref}",
        "Enrolment {pk} ended on {day}: write and send the end report.",
    ),
}


def _enrolment_events(rows, kind, recipients, links):
    """Post measure and end report due: rows are enrolments."""
    return _record_events(
        rows,
        kind,
        texts=_ENROLMENT_TEXT,
        prefix="enrolment",
        link=links.for_enrolment,
        pool=recipients.intervention_workers,
        agency="provider_agency_id",
        allocated="practitioner_id",
    )


def _victim_notification_events(rows, recipients, links):
    """Overdue "tell the victim" tasks: to the responsible person while they may work in
    the responsible agency (else that agency's members who tell victims), and escalated at
    once to that agency's supervisors and managers (police supervisors for the officer in
    charge's tasks, the advocacy agency's managers for an advocate's): a victim not told of
    a release is the failure this duty exists to prevent."""
    kind = NotificationKind.VICTIM_NOTIFICATION_OVERDUE
    for row in rows:
        pk, due, case_id = row["pk"], row["due_on"], row["case_id"]
        agency_id, responsible = row["responsible_agency_id"], row["responsible_id"]
        if (responsible, agency_id) in recipients.memberships:
            to = [responsible]
        else:
            to = list(recipients.victim_notification_workers[agency_id])
        to += recipients.supervisors[agency_id]
        yield _Event(
            kind=kind,
            object_id=pk,
            due_on=due,
            partnership_id=row["partnership_id"],
            case_id=case_id,
            key=f"victim-notification:{pk}:overdue:{due}",
            title=f"Victim notification overdue on case {row['case__reference']}",
            body=f"Task {pk}: the victim was to be told by {_day(due)}.",
            link=links.for_victim_notification(pk, case_id),
            recipients=_unique(to),
        )


def _meeting_events(meetings, recipients, links):
    kind = NotificationKind.MEETING_TOMORROW
    for meeting in meetings:
        to = []
        for agency_id in meeting.agency_ids:
            sees_some = agency_id in meeting.seeing_agency_ids and meeting.case_ids
            for user_id, partnership_wide in recipients.clinic_members[agency_id]:
                if sees_some or (partnership_wide and meeting.case_ids):
                    to.append(user_id)
        if recipients.usable_in_partnership(meeting.chair_id, meeting.partnership_id):
            to.append(meeting.chair_id)
        count = len(meeting.case_ids)
        starts = timezone.localtime(meeting.starts_at)
        yield _Event(
            kind=kind,
            object_id=meeting.pk,
            due_on=meeting.held_on,
            partnership_id=meeting.partnership_id,
            case_id=None,
            key=f"meeting:{meeting.pk}:tomorrow",
            title=f"{meeting.clinic_name} tomorrow at {starts:%H:%M}",
            body=f"{count} case{'' if count == 1 else 's'} on the agenda"
            f" for {_day(meeting.held_on)}.",
            link=links.for_meeting(meeting.pk),
            recipients=_unique(to),
        )


_COLUMNS = (
    "partnership_id",
    "recipient_id",
    "kind",
    "event_key",
    "title",
    "body",
    "link",
    "case_id",
    "created_at",
    "emailed_at",
)


# Constant SQL (no input is ever formatted into it): the columns the job writes.
_COLS = ", ".join(_COLUMNS)
_CREATE_STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS reminder_stage ON COMMIT DELETE ROWS AS "  # noqa: S608
    f"SELECT {_COLS} FROM reporting_notification WITH NO DATA"
)
_COPY_STAGE = f"COPY reminder_stage ({_COLS}) FROM STDIN"
_INSERT_FROM_STAGE = (
    f"INSERT INTO reporting_notification ({_COLS}) "  # noqa: S608
    f"SELECT {_COLS} FROM reminder_stage "
    "ON CONFLICT (recipient_id, event_key) DO NOTHING"
)


def _insert_postgresql(rows):
    """COPY into a session temp table, then one INSERT … ON CONFLICT DO NOTHING: several
    times faster than multi-row INSERTs for the hundreds of thousands of rows a first run
    over a backlog writes. Returns how many rows were inserted."""
    with connection.cursor() as cursor:
        cursor.execute(_CREATE_STAGE)
        with cursor.copy(_COPY_STAGE) as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(_INSERT_FROM_STAGE)
        inserted = cursor.rowcount
        cursor.execute("TRUNCATE reminder_stage")
    return inserted


def _insert(rows, *, created_at, kind):
    """Inserts the rows, leaving out any that exist; returns how many were inserted."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        return _insert_postgresql(rows)
    Notification.objects.bulk_create(
        [Notification(**dict(zip(_COLUMNS, row, strict=True))) for row in rows],
        batch_size=INSERT_BATCH,
        ignore_conflicts=True,
    )
    return Notification.objects.filter(created_at=created_at, kind=kind).count()


class _Digests:
    """What each recipient's email will list: a count and the first lines."""

    def __init__(self):
        self.count = Counter()
        self.lines = defaultdict(list)

    def add(self, recipient_id, title, body, link):
        self.count[recipient_id] += 1
        if len(self.lines[recipient_id]) < DIGEST_LINES:
            self.lines[recipient_id].append((title, body, link))


_LEDGER_INSERT = (
    "INSERT INTO reporting_remindersent (kind, object_id, due_on, recipients, sent_at) "
    "VALUES {values} ON CONFLICT (kind, object_id, due_on) DO NOTHING "
    "RETURNING kind, object_id, due_on"
)


def _claim_events(events, *, created_at):
    """Insert the events' ledger rows, leaving out those that exist; returns the events
    whose row this run inserted. Only those are notified and put in digests, so a run that
    computed its events while another run wrote them sends nothing for them."""
    per_batch = max(1, min(INSERT_BATCH, (connection.features.max_query_params or 5000) // 5))
    inserted = set()
    with connection.cursor() as cursor:
        for start in range(0, len(events), per_batch):
            batch = events[start : start + per_batch]
            params = []
            for event in batch:
                params += [
                    event.kind,
                    event.object_id,
                    event.due_on,
                    len(event.recipients),
                    created_at,
                ]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(batch))
            cursor.execute(_LEDGER_INSERT.format(values=values), params)
            for kind, object_id, due_on in cursor.fetchall():
                if not hasattr(due_on, "isoformat"):  # SQLite answers a string
                    due_on = date.fromisoformat(due_on)
                inserted.add((kind, int(object_id), due_on))
    return [e for e in events if (e.kind, e.object_id, e.due_on) in inserted]


def _write(events, *, created_at, digests):
    """Ledger rows, then notifications for the events whose ledger row this run inserted,
    for a batch of events (one kind), in one transaction.

    When the run emails (``digests`` given), rows are written already marked emailed and
    listed for their recipient's digest; a recipient whose email then fails has the mark
    taken off again. That spares the job an UPDATE of every row it has just inserted.
    """
    rows = []
    emailed_at = created_at if digests is not None else None
    events = [event for event in events if event.recipients]
    if not events:
        return 0, 0
    with transaction.atomic():
        claimed = _claim_events(events, created_at=created_at)
        for event in claimed:
            _add_rows(event, rows, created_at=created_at, emailed_at=emailed_at, digests=digests)
        inserted = _insert(rows, created_at=created_at, kind=events[0].kind)
    return len(claimed), inserted


def _add_rows(event, rows, *, created_at, emailed_at, digests):
    """One notification row per recipient, listed for their digest."""
    title = event.title[:200]
    for user_id in event.recipients:
        rows.append(
            (
                event.partnership_id,
                user_id,
                event.kind,
                event.key,
                title,
                event.body,
                event.link,
                event.case_id,
                created_at,
                emailed_at,
            )
        )
        if digests is not None:
            digests.add(user_id, title, event.body, event.link)


def _write_all(events, *, created_at, digests):
    """(events with recipients, notifications inserted) for one kind's stream of events."""
    written = inserted = 0
    batch = []
    for event in events:
        batch.append(event)
        if len(batch) >= EVENT_BATCH:
            counts = _write(batch, created_at=created_at, digests=digests)
            written, inserted = written + counts[0], inserted + counts[1]
            batch = []
    if batch:
        counts = _write(batch, created_at=created_at, digests=digests)
        written, inserted = written + counts[0], inserted + counts[1]
    return written, inserted


def _digest(count, lines, more):
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    subject = f"{settings.SERVICE_NAME}: {count} new reminder{'s' if count != 1 else ''}"
    body = [
        f"You have {count} new reminder{'s' if count != 1 else ''}.",
        "",
        *[f"- {title}\n  {body}\n  {site}{link}" for title, body, link in lines],
    ]
    if more:
        body += [
            "",
            f"And {more} more. See all your notifications: "
            f"{site}{reverse('reporting:notification-list')}",
        ]
    body += ["", "Sign in to see the details. This email carries reference numbers only."]
    return subject, "\n".join(body)


def send_digests(*, now, digests):
    """One email per recipient listing their new notifications: this run's (in
    ``digests``) and any earlier ones not emailed yet (a failed send, a run without email).
    A recipient whose email fails keeps emailed_at empty and is retried by the next run."""
    leftover = defaultdict(list)
    for pk, recipient_id, title, body, link in sources.unemailed_notifications():
        leftover[recipient_id].append(pk)
        digests.add(recipient_id, title, body, link)
    if not digests.count:
        return 0
    addresses = dict(
        User.objects.filter(pk__in=list(digests.count), is_active=True).values_list("pk", "email")
    )
    sent, failed = [], []
    mail_connection = get_connection()
    mail_connection.open()
    try:
        for recipient_id, count in digests.count.items():
            if recipient_id not in addresses:
                failed.append(recipient_id)
                continue
            subject, body = _digest(
                count, digests.lines[recipient_id], max(0, count - DIGEST_LINES)
            )
            message = EmailMessage(
                subject,
                body,
                settings.DEFAULT_FROM_EMAIL,
                [addresses[recipient_id]],
                connection=mail_connection,
            )
            try:
                message.send()
            except Exception:  # noqa: BLE001 - one bad address must not stop the digest
                logger.exception("Reminder digest to user %s failed", recipient_id)
                failed.append(recipient_id)
                continue
            sent.append(recipient_id)
    finally:
        mail_connection.close()
    earlier = [pk for recipient_id in sent for pk in leftover.get(recipient_id, ())]
    for start in range(0, len(earlier), 1000):
        Notification.objects.filter(pk__in=earlier[start : start + 1000]).update(emailed_at=now)
    for start in range(0, len(failed), 500):
        Notification.objects.filter(
            recipient_id__in=failed[start : start + 500], created_at=now
        ).update(emailed_at=None)
    return len(sent)


# pg_try_advisory_lock key of the daily job (any constant bigint, unique in this product).
RUN_LOCK_KEY = 7_310_024_501


@contextmanager
def one_run_at_a_time():
    """True if this process may run the job now: a PostgreSQL session advisory lock, held
    until the run ends (or its connection drops), so two runs at once in any processes
    cannot both send. SQLite (single-process development) always runs."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK_KEY])
        locked = cursor.fetchone()[0]
    try:
        yield locked
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK_KEY])


def send_daily_reminders(*, today=None, email=True):
    """Remind everyone of what falls due; safe to run twice, and at once (the second run
    is skipped while the first holds the lock). Returns counts per kind."""
    today = today or timezone.localdate()
    with one_run_at_a_time() as locked:
        if not locked:
            logger.warning("Daily reminders for %s: another run is in progress", today)
            return {"day": today.isoformat(), "skipped": "another run is in progress"}
        return _send_daily_reminders(today=today, email=email)


def _send_daily_reminders(*, today, email):
    tomorrow = today + timedelta(days=1)
    escalation_days = settings.REMINDER_ESCALATION_DAYS
    now = timezone.now()
    recipients = sources.recipients_on(today)
    links = _Links()
    kinds = NotificationKind
    streams = {
        kinds.ACTION_DUE: _action_events(
            sources.actions_due_on(tomorrow), kinds.ACTION_DUE, recipients, links, today
        ),
        kinds.ACTION_OVERDUE: _action_events(
            sources.actions_overdue(today, escalation_days),
            kinds.ACTION_OVERDUE,
            recipients,
            links,
            today,
        ),
        kinds.ACTION_ESCALATED: _action_events(
            sources.actions_to_escalate(today, escalation_days),
            kinds.ACTION_ESCALATED,
            recipients,
            links,
            today,
        ),
        kinds.RISK_REVIEW_DUE: _risk_review_events(
            sources.risk_reviews_due(today), recipients, links
        ),
        kinds.CASE_REVIEW_DUE: _case_review_events(
            sources.case_reviews_due(today), recipients, links
        ),
        kinds.MEETING_TOMORROW: _meeting_events(sources.meetings_on(tomorrow), recipients, links),
        kinds.FIRST_CONTACT_OVERDUE: _episode_events(
            sources.first_contacts_overdue(today), kinds.FIRST_CONTACT_OVERDUE, recipients, links
        ),
        kinds.NEXT_CONTACT_OVERDUE: _episode_events(
            sources.next_contacts_overdue(today), kinds.NEXT_CONTACT_OVERDUE, recipients, links
        ),
        kinds.SAFETY_PLAN_REVIEW_DUE: _plan_review_events(
            sources.safety_plan_reviews_due(today), recipients, links
        ),
        kinds.VICTIM_NOTIFICATION_OVERDUE: _victim_notification_events(
            sources.victim_notifications_overdue(today), recipients, links
        ),
        kinds.SESSION_TOMORROW: _session_events(
            sources.sessions_on(tomorrow), kinds.SESSION_TOMORROW, recipients, links
        ),
        kinds.ATTENDANCE_NOT_RECORDED: _session_events(
            sources.attendance_not_recorded(today),
            kinds.ATTENDANCE_NOT_RECORDED,
            recipients,
            links,
        ),
        kinds.POST_MEASURE_DUE: _enrolment_events(
            sources.post_measures_due(today), kinds.POST_MEASURE_DUE, recipients, links
        ),
        kinds.END_REPORT_DUE: _enrolment_events(
            sources.end_reports_due(today), kinds.END_REPORT_DUE, recipients, links
        ),
    }
    digests = _Digests() if email else None
    counts = {
        kind: _write_all(stream, created_at=now, digests=digests)
        for kind, stream in streams.items()
    }
    summary = {
        "day": today.isoformat(),
        "created": {kind: counts.get(kind, (0, 0))[1] for kind in kinds.values},
        "events": {kind: counts.get(kind, (0, 0))[0] for kind in kinds.values},
        "emails": send_digests(now=now, digests=digests) if email else 0,
    }
    record_event(
        action=AuditAction.CREATE,
        actor_email="system:daily-reminders",
        detail={"job": "send_daily_reminders", **summary},
    )
    return summary
