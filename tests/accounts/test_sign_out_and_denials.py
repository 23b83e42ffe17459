"""A stale sign-out link shows a page (not a blank 405); a 403 is logged as one line."""

import io
import logging

import pytest
from django.urls import reverse

from accounts.roles import Role


@pytest.mark.django_db
def test_a_sign_out_link_followed_when_signed_out_says_so(client):
    response = client.get(reverse("accounts:sign-out"))
    assert response.status_code == 200
    assert b"You are signed out" in response.content


def test_a_sign_out_link_followed_when_signed_in_asks_and_does_not_sign_out(world, login, client):
    login(world.members[Role.INVESTIGATOR])
    response = client.get(reverse("accounts:sign-out"))
    assert response.status_code == 200
    assert b'<h1 class="govuk-heading-l">Sign out</h1>' in response.content
    assert client.get(reverse("home")).status_code == 200  # still signed in
    response = client.post(reverse("accounts:sign-out"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302  # now signed out


def test_a_refusal_is_logged_as_one_line_without_a_traceback(world, login, client):
    handler = next(h for h in logging.getLogger().handlers if h.filters)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        login(world.members[Role.INVESTIGATOR])
        assert client.get(reverse("audit:search")).status_code == 403
    finally:
        handler.setStream(previous)
    logged = stream.getvalue()
    assert "Forbidden: GET /audit/" in logged
    assert "Traceback" not in logged
    assert len(logged.strip().splitlines()) == 1, logged
