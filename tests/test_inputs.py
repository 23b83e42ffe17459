"""Bad input never reaches a server error: format suffixes, control characters, oversize
bodies (issue 9, items 7, 8 and 12)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from accounts.roles import Role


def _api(login, membership):
    client = APIClient()
    login(membership, client)
    return client


def _patterns(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


# Format suffixes (item 8) ----------------------------------------------------------------


def test_no_api_route_takes_a_format_suffix():
    with_format = [p for p in _patterns(get_resolver()) if "format" in p]
    assert with_format == []


@pytest.mark.parametrize(
    "url",
    ["/api/v1/cases.json", "/api/v1/referrals.json", "/api/v1/.json", "/api/v1/me.json"],
)
def test_a_format_suffix_is_a_json_404_not_a_500(login, world, url):
    client = _api(login, world.members[Role.INVESTIGATOR])
    response = client.get(url)
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_a_format_suffix_on_an_object_is_a_404(login, world):
    client = _api(login, world.members[Role.INVESTIGATOR])
    assert client.get(f"/api/v1/cases/{world.own_case.pk}.json").status_code == 404
    assert client.get(f"/api/v1/cases/{world.own_case.pk}/").status_code == 200


# Control characters and bidi overrides (item 7) ------------------------------------------

NUL = "\x00"
RLO = "\u202e"  # right-to-left override


@pytest.mark.parametrize("value", ["a\x00b", "\x1b[31m", "a\x7f", "Isla\u202eevil", "\u2066x"])
def test_refused_characters(value):
    from config import text

    assert text.problem(value)


@pytest.mark.parametrize("value", ["Isla Brimble", "line\nbreak\r\n\tindent", "Zoë", "محمد"])
def test_ordinary_text_is_accepted(value):
    from config import text

    assert text.problem(value) is None


def test_every_form_and_serializer_char_field_refuses_them():
    from django import forms
    from django.core.exceptions import ValidationError
    from rest_framework import serializers

    class AnyForm(forms.Form):
        name = forms.CharField()
        notes = forms.CharField(widget=forms.Textarea)

    form = AnyForm({"name": f"Isla{RLO}", "notes": "one\ntwo\x01"})
    assert not form.is_valid()
    assert "text-direction" in form.errors["name"][0]
    assert "control character (U+0001)" in form.errors["notes"][0]
    assert AnyForm({"name": "Isla", "notes": "one\ntwo"}).is_valid()
    with pytest.raises(serializers.ValidationError):
        serializers.CharField().run_validation("a\x1bb")
    with pytest.raises(ValidationError):
        forms.EmailField().clean("a\x00@example.org")


@pytest.mark.parametrize(
    "url",
    [
        "/cases/?q=a%00b",
        "/screening/?area=%00",
        "/screening/?offence=%00",
        "/clinics/actions/?show=%00&agency=%00",
        "/cases/referrals/?status=%00",
        "/audit/?case_reference=%1b",
    ],
)
def test_a_search_box_or_filter_with_nul_is_a_400_page_not_a_500(login, world, client, url):
    login(world.members[Role.POLICE_SUPERVISOR])
    response = client.get(url)
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and "control character" in body


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/?q=a%00b",
        "/api/v1/referrals/?status=%00",
        "/api/v1/screening-entries/?area=%00",
        "/api/v1/actions/?status=%00",
        "/api/v1/people/?q=%E2%80%AE",
    ],
)
def test_an_api_filter_with_nul_is_a_field_keyed_400(login, world, url):
    client = _api(login, world.members[Role.POLICE_SUPERVISOR])
    response = client.get(url)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    (field,) = body["errors"]
    assert field == url.split("?")[1].split("=")[0]


def test_a_json_body_with_nul_is_a_field_keyed_400_and_nothing_saved(login, world):
    from cases.models import Referral

    client = _api(login, world.members[Role.PROBATION_OFFICER])
    body = {
        "source": "probation",
        "received_on": "2026-04-01",
        "reason": "Breach of licence",
        "perpetrator": {"given_names": "Carl", "family_name": f"Vo{NUL}ss"},
    }
    response = client.post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 400
    assert "perpetrator" in response.json()["errors"]
    body["perpetrator"]["family_name"] = f"Voss{RLO}"
    response = client.post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 400
    assert "text-direction" in str(response.json()["errors"]["perpetrator"])
    assert not Referral.objects.exists()


def test_a_json_import_with_control_characters_is_a_row_error_never_a_stuck_run(
    login, world, settings, tmp_path
):
    from cases.models import CrimeScreenEntry, ImportRun, ImportStatus
    from tests.factories_screening import csv_row

    settings.MEDIA_ROOT = tmp_path
    client = _api(login, world.members[Role.INVESTIGATOR])
    rows = [
        csv_row(1),
        csv_row(2, summary=f"bad{NUL}text", victim_date_of_birth=f"1990-01-01{NUL}"),
        csv_row(3, suspect_name=f"Arthur{RLO}yawalleK"),
        {**csv_row(4), f"summ{NUL}ary": "x"},
    ]
    response = client.post("/api/v1/screening-imports/", {"rows": rows}, format="json")
    assert response.status_code == 400, response.content
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert {(e["row"], e["field"]) for e in run.errors} >= {
        (2, "summary"),
        (2, "victim_date_of_birth"),
        (3, "suspect_name"),
    }
    assert any(e["row"] == 4 for e in run.errors)
    assert NUL not in str(run.errors)
    assert not CrimeScreenEntry.objects.exists()


def test_a_csv_import_with_control_characters_gives_row_errors(world):
    from cases.importers import crime_screen
    from cases.services import screening as services
    from tests.factories_screening import csv_bytes, csv_row

    data = csv_bytes([csv_row(1), csv_row(2, officer_in_charge="PC\x1b[2J 12")])
    member = world.members[Role.INVESTIGATOR]
    run = services.import_start(actor=member.user, membership=member, data=data)
    assert run.status == "failed"
    assert [(e["row"], e["field"]) for e in run.errors] == [(3, "officer_in_charge")]
    assert crime_screen.MAX_ROWS  # the importer module is the one in use


# Large bodies (item 12) ---------------------------------------------------------------


def _rows_of_size(megabytes):
    from tests.factories_screening import csv_row

    row = csv_row(1, summary="x" * 900)
    count = int(megabytes * 1024 * 1024 / 1200) + 1
    return [{**row, "crime_reference": f"NS/{n:06d}/26"} for n in range(1, count + 1)]


def test_a_json_import_over_django_s_default_limit_is_accepted(
    login, world, settings, tmp_path, django_capture_on_commit_callbacks
):
    from cases.models import ImportRun, ImportStatus

    settings.MEDIA_ROOT = tmp_path
    client = _api(login, world.members[Role.INVESTIGATOR])
    rows = _rows_of_size(3)  # Django's default is 2.5 MB
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/screening-imports/", {"rows": rows}, format="json")
    assert response.status_code in (201, 202), response.content[:300]
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.SUCCEEDED and run.new_count == len(rows)


def test_the_import_limit_fits_the_documented_50000_rows():
    import json

    from config import middleware
    from tests.factories_screening import csv_row

    # A documented maximum: 50,000 crimes in 20 MB of CSV, 400 bytes a crime.
    row = csv_row(1, summary="x" * 200)
    per_row = len(json.dumps(row)) + 2
    assert 50_000 * per_row < middleware.body_limit("api:screening-import-list")


def test_an_oversize_body_anywhere_in_the_api_is_a_json_413(login, world):
    client = _api(login, world.members[Role.PROBATION_OFFICER])
    big = {"source": "probation", "reason": "x" * 3_000_000}
    response = client.post("/api/v1/referrals/", big, format="json")
    assert response.status_code == 413
    body = response.json()
    assert body["status"] == 413 and "limit" in body["errors"]["detail"][0]


def test_an_import_over_its_own_limit_is_a_json_413(login, world, monkeypatch):
    from cases.models import ImportRun
    from config import middleware

    monkeypatch.setitem(middleware.LARGE_BODIES, "api:screening-import-list", 3 * 1024 * 1024)
    client = _api(login, world.members[Role.INVESTIGATOR])
    response = client.post(
        "/api/v1/screening-imports/", {"rows": _rows_of_size(3.5)}, format="json"
    )
    assert response.status_code == 413 and response.json()["status"] == 413
    assert not ImportRun.objects.exists()


def test_a_body_too_big_without_a_length_is_still_json(login, world, settings):
    """A chunked body (no Content-Length) meets Django's own limit inside the view."""
    from django.core.exceptions import RequestDataTooBig

    from config.api_errors import field_keyed_exception_handler

    response = field_keyed_exception_handler(RequestDataTooBig("too big"), {})
    assert response.status_code == 413 and response.data["status"] == 413


def test_an_oversize_form_post_on_a_page_is_a_413_page(login, world, client):
    login(world.members[Role.POLICE_SUPERVISOR])
    response = client.post(
        "/cases/new/",
        "summary=" + "x" * 3_000_000,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()
