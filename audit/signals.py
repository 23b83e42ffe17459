"""Sign-in, sign-out and failed sign-in go to the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.models import Membership, User
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
