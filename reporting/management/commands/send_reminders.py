from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reporting.services.reminders import send_daily_reminders


class Command(BaseCommand):
    help = "Send the daily reminders (safe to run twice: nothing is sent twice)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to run for, YYYY-MM-DD (default: today).")
        parser.add_argument("--no-email", action="store_true", help="Notify in the app only.")

    def handle(self, *args, **options):
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--date must be YYYY-MM-DD.") from exc
        summary = send_daily_reminders(today=day, email=not options["no_email"])
        self.stdout.write(f"Reminders for {summary['day']}:")
        for kind, count in summary["created"].items():
            self.stdout.write(f"  {kind}: {count} notifications ({summary['events'][kind]} events)")
        self.stdout.write(f"  emails sent: {summary['emails']}")
