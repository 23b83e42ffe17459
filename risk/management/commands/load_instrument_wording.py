"""Load licensed item wording into instrument versions, for one deployment.

The file is JSON: one object or a list of them::

    [{"instrument": "dash", "version": 1, "partnership": null,
      "wording": {"DASH-01": "…licensed question text…", …}}]

``version`` defaults to the current version; ``partnership`` is a partnership slug for a
local tool (null or absent for a national one). Every item code is checked against the
version's definition; nothing is saved unless the whole file is valid.
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from risk.models import InstrumentVersion
from risk.services import load_wording


class Command(BaseCommand):
    help = "Load licensed item wording for risk instruments from a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        entries = data if isinstance(data, list) else [data]
        try:
            with transaction.atomic():
                for n, entry in enumerate(entries, start=1):
                    version = self._version(n, entry)
                    load_wording(version=version, wording=entry["wording"])
                    self.stdout.write(
                        f"{version}: wording for {len(entry['wording'])} items loaded"
                    )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc

    def _version(self, n, entry):
        if not isinstance(entry, dict) or not isinstance(entry.get("wording"), dict):
            raise CommandError(f"Entry {n}: needs 'instrument' and a 'wording' object.")
        versions = InstrumentVersion.objects.filter(instrument__code=entry.get("instrument"))
        slug = entry.get("partnership")
        versions = (
            versions.filter(instrument__partnership__slug=slug)
            if slug
            else versions.filter(instrument__partnership=None)
        )
        if entry.get("version"):
            versions = versions.filter(version=entry["version"])
        version = versions.select_related("instrument").order_by("-version").first()
        if version is None:
            raise CommandError(f"Entry {n}: no instrument {entry.get('instrument')!r} found.")
        return version
