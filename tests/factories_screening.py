"""Factories for the police daily crime screen."""

import csv
import io
from datetime import timedelta

import factory
from django.utils import timezone

from cases.importers.crime_screen import COLUMNS
from cases.models import CodeList, CrimeScreenEntry, ImportRun, ReferenceCode
from tests.factories import PartnershipFactory


def offence(code="8L"):
    return ReferenceCode.objects.get(
        code_list=CodeList.OFFENCE, code=code, partnership__isnull=True
    )


class CrimeScreenEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrimeScreenEntry

    partnership = factory.SubFactory(PartnershipFactory)
    crime_reference = factory.Sequence(lambda n: f"NS/{n:06d}/26")
    recorded_on = factory.LazyFunction(timezone.localdate)
    offence = factory.LazyFunction(offence)
    offence_description = "Harassment"
    summary = "Sent repeated messages and turned up at her work."
    domestic_abuse = False
    officer_in_charge = "PC 1234 Example"
    location_area = "Northtown"
    row_hash = factory.Sequence(lambda n: f"{n:064x}")


class ImportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportRun

    partnership = factory.LazyAttribute(lambda o: o.agency.partnership)
    agency = None
    uploaded_by = None
    status = "succeeded"


def csv_row(n=1, **overrides):
    """One valid export row (column → text)."""
    today = timezone.localdate()
    row = {
        "crime_reference": f"NS/{n:06d}/26",
        "recorded_date": (today - timedelta(days=1)).isoformat(),
        "offence_code": "8L",
        "offence_description": "Harassment",
        "summary": "Ex-partner has been following her and sends repeated messages.",
        "da_flag": "Y",
        "officer_in_charge": "PC 4412 Dunmore",
        "suspect_name": "Arthur Kellaway",
        "suspect_date_of_birth": "1980-02-18",
        "suspect_gender": "M",
        "victim_name": "Isla Brimble",
        "victim_date_of_birth": "21/11/1990",
        "victim_gender": "F",
        "location_area": "Riverside",
        "stalking_start_date": (today - timedelta(days=60)).isoformat(),
        "stalking_end_date": (today - timedelta(days=2)).isoformat(),
    }
    row.update(overrides)
    return row


def csv_bytes(rows, columns=None):
    columns = columns or list(COLUMNS)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
