"""Reads for accounts pages: API tokens, scoped to their owner or to a partnership."""

from accounts.models import ApiToken, Membership


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


def agency_names_of(user):
    """The names of the agencies a user works in now (usable memberships), for showing a
    person as "name (agency)" rather than by email. Kept on the user object, so a page
    that names the same person twice asks once."""
    if user is None or not getattr(user, "pk", None):
        return []
    cached = getattr(user, "_agency_names", None)
    if cached is None:
        cached = list(
            Membership.objects.usable()
            .filter(user_id=user.pk)
            .order_by("agency__name")
            .values_list("agency__name", flat=True)
            .distinct()
        )
        user._agency_names = cached
    return cached
