"""The one check for victim contact details in text about to be shared with the
perpetrator's side (order conditions, clinic minutes and decisions, case event notes).

The answer names the kinds of detail found ("postcode", "phone number"), never the values:
the writer may be someone who cannot read the victim's contact details (only the advocate
and the officer in charge can), and the warning must not become a way to learn them."""

import re

from django.db.models import F

from cases.models import VICTIM_ROLES, CaseParty

LEAK_LABELS = {
    "address": "address",
    "postcode": "postcode",
    "phone": "phone number",
    "email": "email address",
    "workplace": "workplace",
}
# A run of digits with the separators people type inside phone numbers.
_PHONE_RUN = re.compile(r"\+?\d[\d\s().-]{5,}\d")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _words(text):
    """Lower case, punctuation and runs of spaces as one space: "12, Acacia  Ave." →
    "12 acacia ave"."""
    return " " + _NOT_WORD.sub(" ", (text or "").lower()).strip() + " "


def _phone_digits(value):
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    return digits


def _address_lines(address):
    """The lines of an address that identify it: the first (house and street) and any
    with a number in it; a town alone is not a leak."""
    lines = [line.strip() for line in re.split(r"[\n,]", address or "") if line.strip()]
    return [
        line
        for index, line in enumerate(lines)
        if len(line) >= 5 and (index == 0 or any(ch.isdigit() for ch in line))
    ]


def contact_leaks(contacts, text):
    """The kinds of contact detail (keys of LEAK_LABELS) from ``contacts`` (dicts of a
    person's contact fields) that appear in ``text``: postcodes without spaces and in any
    case, phone numbers by their digits (+44 as 0), email case-insensitive, address lines
    and workplace as words."""
    if not (text or "").strip():
        return []
    words = _words(text)
    squashed = re.sub(r"\s+", "", text).upper()
    phones = {_phone_digits(run) for run in _PHONE_RUN.findall(text)}
    found = set()
    for contact in contacts:
        postcode = re.sub(r"\s+", "", contact.get("postcode") or "").upper()
        if len(postcode) >= 5 and postcode in squashed:
            found.add("postcode")
        phone = _phone_digits(contact.get("phone"))
        if len(phone) >= 7 and any(phone in candidate for candidate in phones):
            found.add("phone")
        email = (contact.get("email") or "").strip().lower()
        if email and email in text.lower():
            found.add("email")
        if any(_words(line) in words for line in _address_lines(contact.get("address"))):
            found.add("address")
        workplace = (contact.get("workplace") or "").strip()
        if len(workplace) >= 4 and _words(workplace) in words:
            found.add("workplace")
    return [key for key in LEAK_LABELS if key in found]


def victim_contacts(case):
    """The contact details held for the case's victim parties (one query). A system read
    for the leak check only: never shown to the writer."""
    return list(
        CaseParty.objects.filter(case=case, role__in=VICTIM_ROLES).values(
            address=_f("address"),
            postcode=_f("postcode"),
            phone=_f("phone"),
            email=_f("email"),
            workplace=_f("workplace"),
        )
    )


def _f(name):
    return F(f"person__{name}")


def victim_contact_leaks(case, text):
    """The kinds of the case's victims' contact details found in ``text`` ([] if none)."""
    if not (text or "").strip():
        return []
    return contact_leaks(victim_contacts(case), text)


SHARE_ANYWAY_LABEL = "I have checked: share anyway"


def leak_message(leaks, *, can_override=True):
    """The warning shown next to a field: what was found, and what to do."""
    kinds = [LEAK_LABELS[key] for key in leaks]
    listed = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]
    found = f"This text appears to contain the victim's {listed}."
    if not can_override:
        return f"{found} Every agency on the case reads it: remove it."
    return (
        f"{found} It will be shared with the perpetrator's side: remove it, or confirm "
        f"“{SHARE_ANYWAY_LABEL}”."
    )


def shared_text_errors(case, texts, *, share_anyway):
    """{field: warning} for each text (``texts``: {field: text}) about to be shared with
    the perpetrator's side that holds the case's victims' contact details, unless the
    writer has checked and confirmed (``share_anyway``). Decided: warn and ask, not forbid,
    because a real need is rare but exists (an exclusion zone round the victim's street
    must name the street); the confirmation is the writer's explicit, recorded choice."""
    if share_anyway:
        return {}
    errors = {}
    for field, text in texts.items():
        leaks = victim_contact_leaks(case, text)
        if leaks:
            errors[field] = leak_message(leaks)
    return errors
