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
