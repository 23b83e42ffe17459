"""Sign-in, sign-out and failed sign-in go to the audit trail; a lock-out after failed
sign-ins also ends the account's open sessions."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.models import Membership, User
from accounts.services import sessions_end
from audit.models import Action
from audit.services import record_event


def _first_membership(user):
    """Attributes sign-in events to a partnership, so its admin sees them."""
    return Membership.objects.filter(user=user).select_related("agency").first()


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    record_event(action=Action.SIGN_IN, actor=user, membership=_first_membership(user))


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(action=Action.SIGN_OUT, actor=user, membership=_first_membership(user))


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    email = str(credentials.get("username") or credentials.get("email") or "")[:254]
    user = User.objects.filter(email__iexact=email).first() if email else None
    record_event(
        action=Action.FAILED_SIGN_IN,
        actor_email=email,
        membership=_first_membership(user) if user else None,
    )


@receiver(user_locked_out)
def _locked_out(sender, request=None, username=None, **kwargs):
    """Whoever is failing to sign in as this account, a session already open elsewhere
    is ended too: the account is locked, not only the sign-in form."""
    user = User.objects.filter(email__iexact=str(username or "")[:254]).first()
    if user is not None:
        sessions_end(user=user, reason="locked out after failed sign-ins")
