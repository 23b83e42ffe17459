"""Reads for accounts pages: API tokens, scoped to their owner or to a partnership."""

from accounts.models import ApiToken


def tokens_of_user(user):
    return ApiToken.objects.filter(user=user).order_by("-created")


def token_of_user(user, token_id):
    """One of the user's own tokens, or None (someone else's answers the same as none)."""
    return tokens_of_user(user).filter(pk=token_id).first()


def tokens_in_partnership(partnership_id):
    """Tokens of every user who holds a membership (active or not) in the partnership."""
    return (
        ApiToken.objects.filter(user__memberships__agency__partnership_id=partnership_id)
        .distinct()
        .select_related("user")
        .order_by("user__full_name", "-created")
    )


def token_in_partnership(partnership_id, token_id):
    return tokens_in_partnership(partnership_id).filter(pk=token_id).first()
