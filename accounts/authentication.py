"""API token authentication: django-rest-knox's hashed tokens, plus this service's rules.

Knox finds the token by its first characters and compares the SHA-512 digest. On top of
that, a token works only while its user could sign in: an expired token, a deactivated
user, a user locked out by django-axes after failed sign-ins, or a user with no usable
membership (vetting lapsed, membership or agency closed) is refused at once, with 401, and
the refusal is audited. Knox's own clean-up (deleting expired tokens of the user on every
use) is not used: an expired token stays listed as expired until revoked.
"""

import binascii
from hmac import compare_digest

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions

from accounts.models import ApiToken
from accounts.services import token_denied, token_used

INVALID = "Invalid token."


class ApiTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        self._request = request
        return super().authenticate(request)

    def authenticate_credentials(self, token):
        try:
            token = token.decode("utf-8")
            digest = hash_token(token)
        except (UnicodeDecodeError, TypeError, binascii.Error):
            token_denied(token=None, reason="malformed token")
            raise exceptions.AuthenticationFailed(INVALID) from None
        candidates = ApiToken.objects.filter(
            token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH]
        ).select_related("user")
        match = next((t for t in candidates if compare_digest(digest, t.digest)), None)
        if match is None:
            token_denied(token=None, reason="unknown or revoked token")
            raise exceptions.AuthenticationFailed(INVALID)
        refusal = self.refusal(match)
        if refusal:
            token_denied(token=match, reason=refusal)
            raise exceptions.AuthenticationFailed(f"This API token cannot be used: {refusal}.")
        token_used(token=match)
        return (match.user, match)

    def refusal(self, token):
        """Why this token may not be used now, or ''."""
        # Imported here: the axes handler reads settings and the database on first use.
        from accounts.access import has_usable_membership, is_locked_out

        user = token.user
        if token.is_expired():
            return "it has expired"
        if not user.is_active:
            return "the account has been closed"
        request = getattr(getattr(self, "_request", None), "_request", None)
        if is_locked_out(user, request):
            return "the account is locked after failed sign-ins"
        if not has_usable_membership(user):
            return "the account has no membership in date (vetting or membership lapsed)"
        return ""


class ApiTokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme: drf-spectacular's knox scheme, for this subclass."""

    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"
