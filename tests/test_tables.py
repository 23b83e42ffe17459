"""Tables wrap inside the page, with no scroll box of their own, and no text is broken
inside a word (issue 10 item 6)."""

from pathlib import Path

from django.conf import settings
from django.urls import reverse

from accounts.roles import Role

ROOT = Path(settings.BASE_DIR)


def test_no_template_wraps_a_table_in_a_scroll_box():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if "app-table-scroll" in path.read_text()
    ]
    assert offenders == []


def test_the_stylesheet_has_no_inner_scroll_or_mid_word_breaks():
    css = (ROOT / "static" / "css" / "app.css").read_text()
    assert "overflow-x" not in css and "overflow: auto" not in css
    assert "break-all" not in css and "word-break" not in css
    # The identity bar lines its reference, tag and agency up on one line.
    assert ".moj-identity-bar__details { display: flex;" in css


def test_case_and_referral_lists_render_plain_govuk_tables(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    for name in ("cases:list", "cases:referrals"):
        html = client.get(reverse(name)).content.decode()
        assert 'class="govuk-table' in html, name
        assert "app-table-scroll" not in html, name
