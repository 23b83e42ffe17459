"""Writes of risk updates: the advocate's explicit, audited disclosure to partner agencies.

Decisions the issue leaves open (issue 11 item 4):
- Recipients are agencies the case is shared with, other than the holding agency; an
  agency unshared later stops reading the update (advocacy.selectors.disclosures).
- Consent to share is honoured from the day it is withdrawn: from then on (and when it
  was never recorded) only a basis that does not rest on consent may be used.
- A closed episode discloses nothing more: a new period of support starts a new episode.
- A new incident recorded as re-offending becomes a case-core event that every agency on
  the case sees, so only its date, same/new victim and source are copied, never the
  incident text, which stays in the update for the chosen recipients.
- An urgent update notifies at once the officer in charge and the police supervisors of
  the recipient police agencies (only people whose agency received it): title and link,
  never the content."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from advocacy.models import (
    CONSENT_BASES,
    LawfulBasis,
    RiskUpdate,
    RiskUpdateRecipient,
    Urgency,
)
from advocacy.selectors import disclosures as disclosure_selectors
from audit.models import Action
from audit.services import record_event
from cases.models import ReoffendingSource, ReoffendingVictim
from cases.services import record as record_services
from reporting.models import NotificationKind
from reporting.services.notifications import notify_now
from risk.models import RiskLevel

from .episodes import _raise, _require_holder

MAX_TEXT_LENGTH = 5000

# The service's errors for the re-offending event, at the update's incident fields.
INCIDENT_FIELDS = {
    "occurred_on": "incident_on",
    "victim": "incident_victim",
    "perpetrator": "incident_perpetrator",
    "source": "record_incident",
}


def consent_to_share_stands(episode, on=None):
    """Whether the victim's consent to share is recorded and not withdrawn on ``on``."""
    on = on or timezone.localdate()
    given = episode.share_consent_on
    withdrawn = episode.share_consent_withdrawn_on
    return given is not None and given <= on and not (withdrawn and withdrawn <= on)


def consent_refusal(episode, on=None):
    """Why consent cannot be the basis today, or ""."""
    on = on or timezone.localdate()
    withdrawn = episode.share_consent_withdrawn_on
    if withdrawn and withdrawn <= on:
        return (
            f"The victim withdrew consent to share on {withdrawn:%d/%m/%Y}: choose vital "
            "interests or a substantial public interest, or do not share."
        )
    if not consent_to_share_stands(episode, on):
        return (
            "No consent to share is recorded: record it on the support details first, or "
            "choose vital interests or a substantial public interest."
        )
    return ""


def risk_update_errors(
    episode,
    *,
    what_changed,
    new_incidents,
    risk_level,
    urgency,
    lawful_basis,
    recipient_ids,
    record_incident=False,
    incident_on=None,
    incident_victim="",
    incident_perpetrator=None,
    today=None,
):
    """Every problem with an update at once, {field: message}."""
    today = today or timezone.localdate()
    errors = {}
    if episode.closed_on:
        errors["what_changed"] = (
            f"This support closed on {episode.closed_on:%d/%m/%Y}: start new support to share "
            "a risk update."
        )
        return errors
    what_changed = (what_changed or "").strip()
    if not what_changed:
        errors["what_changed"] = "Say what has changed."
    elif len(what_changed) > MAX_TEXT_LENGTH:
        errors["what_changed"] = f"Keep this to {MAX_TEXT_LENGTH} characters or fewer."
    if len(new_incidents or "") > MAX_TEXT_LENGTH:
        errors["new_incidents"] = f"Keep this to {MAX_TEXT_LENGTH} characters or fewer."
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = "Choose the current risk level."
    if urgency not in Urgency.values:
        errors["urgency"] = "Say whether the update is routine or urgent."
    if lawful_basis not in LawfulBasis.values:
        errors["lawful_basis"] = "Choose the lawful basis for sharing."
    elif lawful_basis in CONSENT_BASES and (refusal := consent_refusal(episode, today)):
        errors["lawful_basis"] = refusal
    allowed = {agency.pk for agency in disclosure_selectors.recipient_choices(episode)}
    try:
        wanted = {int(pk) for pk in recipient_ids or ()}
    except (TypeError, ValueError):
        wanted = {None}
    if not wanted:
        errors["recipients"] = "Choose at least one agency to share the update with."
    elif wanted - allowed:
        errors["recipients"] = "Choose agencies this case is shared with."
    if record_incident:
        if not (new_incidents or "").strip():
            errors["new_incidents"] = "Describe the new incident to record it as re-offending."
        if incident_on is None:
            errors["incident_on"] = "Enter the date of the new incident."
        elif incident_on > today:
            errors["incident_on"] = "The date cannot be in the future."
        if incident_victim not in ReoffendingVictim.values:
            errors["incident_victim"] = "Say whether it was the same victim or a new one."
        perpetrators = {p.pk for p in disclosure_selectors.perpetrators_on_case(episode.case)}
        if incident_perpetrator not in perpetrators:
            errors["incident_perpetrator"] = "Choose a perpetrator in this case."
    return errors


def _record_incident(*, actor, membership, episode, occurred_on, victim, perpetrator_party_id):
    """The new incident as a re-offending event on the case (source: advocate), through the
    case service; its refusals come back at the update's incident fields."""
    party = next(
        p
        for p in disclosure_selectors.perpetrators_on_case(episode.case)
        if p.pk == perpetrator_party_id
    )
    try:
        return record_services.reoffending_record(
            actor=actor,
            membership=membership,
            case=episode.case,
            perpetrator=party.person,
            occurred_on=occurred_on,
            victim=victim,
            source=ReoffendingSource.ADVOCATE,
        )
    except PermissionDenied:
        _raise({"record_incident": "Only an advocate records re-offending from an update."})
    except ValidationError as error:
        _raise(
            {
                INCIDENT_FIELDS.get(field, "record_incident"): " ".join(texts)
                for field, texts in error.message_dict.items()
            }
        )


def risk_update_submit(
    *,
    actor,
    membership,
    episode,
    what_changed,
    risk_level,
    urgency,
    lawful_basis,
    recipient_ids,
    new_incidents="",
    record_incident=False,
    incident_on=None,
    incident_victim="",
    incident_perpetrator=None,
):
    """Disclose a risk update to the chosen agencies on the case: one ``disclose`` audit
    row per recipient agency; an urgent one notifies police at once; a new incident may be
    recorded as a re-offending event, linked from the update (one entry, never typed
    twice). Returns the update."""
    _require_holder(membership, episode)
    _raise(
        risk_update_errors(
            episode,
            what_changed=what_changed,
            new_incidents=new_incidents,
            risk_level=risk_level,
            urgency=urgency,
            lawful_basis=lawful_basis,
            recipient_ids=recipient_ids,
            record_incident=record_incident,
            incident_on=incident_on,
            incident_victim=incident_victim,
            incident_perpetrator=incident_perpetrator,
        )
    )
    chosen = {int(pk) for pk in recipient_ids}
    recipients = [
        agency for agency in disclosure_selectors.recipient_choices(episode) if agency.pk in chosen
    ]
    with transaction.atomic():
        event = None
        if record_incident:
            event = _record_incident(
                actor=actor,
                membership=membership,
                episode=episode,
                occurred_on=incident_on,
                victim=incident_victim,
                perpetrator_party_id=incident_perpetrator,
            )
        update = RiskUpdate.objects.create(
            partnership_id=episode.partnership_id,
            case=episode.case,
            episode=episode,
            what_changed=what_changed.strip(),
            new_incidents=(new_incidents or "").strip(),
            risk_level=risk_level,
            urgency=urgency,
            lawful_basis=lawful_basis,
            reoffending_event=event,
            submitted_by=actor,
        )
        RiskUpdateRecipient.objects.bulk_create(
            RiskUpdateRecipient(risk_update=update, agency=agency) for agency in recipients
        )
        for agency in recipients:
            record_event(
                action=Action.DISCLOSE,
                actor=actor,
                membership=membership,
                obj=update,
                case=episode.case,
                reason=LawfulBasis(lawful_basis).label,
                detail={
                    "recipient_agency": agency.name,
                    "recipient_agency_id": agency.pk,
                    "episode": episode.pk,
                    "lawful_basis": lawful_basis,
                    "urgency": urgency,
                    "reoffending_event": event.pk if event else None,
                },
            )
        if urgency == Urgency.URGENT:
            notify_now(
                partnership=episode.case.partnership,
                recipient_ids=disclosure_selectors.urgent_update_recipient_ids(update),
                kind=NotificationKind.RISK_UPDATE,
                event_key=f"risk-update:{update.pk}",
                title=f"Urgent risk update on case {episode.case.reference}",
                link=reverse("advocacy:case-risk-updates", args=[episode.case_id]),
                case=episode.case,
            )
    return update
