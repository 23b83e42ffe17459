"""Issue an API token for a service account (or any user) from the command line.

    manage.py issue_api_token integration@force.example --name "Force RMS sync" --days 90

Prints the token once; only its digest is stored. The issue is audited ("via": "command").
The user must hold a usable membership, or the token would be refused on first use.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.access import has_usable_membership
from accounts.models import User


class Command(BaseCommand):
    help = "Issue a named, expiring API token for a user (a service account) and print it once."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The email address of the user the token acts as.")
        parser.add_argument("--name", required=True, help="What will use the token.")
        parser.add_argument(
            "--days",
            type=int,
            default=settings.REST_KNOX["TOKEN_TTL"].days,
            help=f"Days until it expires (1 to {settings.API_TOKEN_MAX_DAYS}; default 90).",
        )

    def handle(self, *args, email, name, days, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the email address {email}.")
        if not user.is_active:
            raise CommandError(f"{email}'s account is closed.")
        if not has_usable_membership(user):
            raise CommandError(f"{email} has no membership in date, so a token would not work.")
        try:
            token, secret = services.token_issue(
                actor=None, user=user, name=name, days=days, via="issue_api_token command"
            )
        except ValidationError as error:
            raise CommandError(
                " ".join(m for messages in error.message_dict.values() for m in messages)
            ) from None
        self.stderr.write(
            f"Token “{token.name}” for {user.email}, expires {token.expiry:%-d %B %Y}. "
            "It is shown once:"
        )
        self.stdout.write(secret)
