"""Every page, as every role: sign in, follow the links a person can see (one page per view
for each role, so the walk stays fast), and check each page with axe-core."""

from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

# django_db: pytest-django creates the test database only for tests that ask for one.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ROLES = [
    "investigator@northshire.demo",
    "supervisor@northshire.demo",
    "chair@northshire.demo",
    "clinician@northshire.demo",
    "advocate@northshire.demo",
    "probation@northshire.demo",
    "partner@northshire.demo",
    "manager@northshire.demo",
    "admin@northshire.demo",
    "investigator@southmoor.demo",
]

# Not pages: files, the API, Django's admin, and links that act (sign-out is a POST form).
SKIP_PREFIXES = ("/api/", "/django-admin/", "/static/", "/media/", "/healthz")
SKIP_VIEWS = {"triage:meeting-minutes-pdf", "accounts:sign-out", "reporting:run-file"}
# A view is checked once for each role, and by at most VIEW_LIMIT roles in all: the same
# template as another role's adds little but time.
VIEW_LIMIT = 3
MAX_PAGES = 60
WALKED = {}  # view name -> roles that checked it (shared by the parametrized walks)

LINKS = "return Array.from(document.querySelectorAll('a[href]'), a => a.href)"


def _view_name(path):
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def walk(browser, start="/"):
    origin = urlsplit(browser.base_url).netloc
    queue, seen, mine = [start], set(), set()
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        view = _view_name(path.split("?")[0])
        if view is None or view in SKIP_VIEWS or view in mine:
            continue
        walked = WALKED.setdefault(view, set())
        if len(walked) >= VIEW_LIMIT and path != start:
            continue
        seen.add(path)
        mine.add(view)
        walked.add(browser.role)
        browser.get(path)
        for href in browser.driver.execute_script(LINKS):
            parts = urlsplit(href)
            if parts.netloc != origin or parts.path.startswith(SKIP_PREFIXES):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                queue.append(target)
    return seen


@pytest.mark.parametrize("email", ROLES, ids=[r.split(".demo")[0] for r in ROLES])
def test_every_page_a_role_can_reach(browser, email):
    browser.sign_in(email)
    pages = walk(browser)
    assert pages, pages


def test_pages_without_signing_in(browser):
    browser.get("/accounts/sign-in/")
    browser.get("/accessibility/")
    browser.get("/no-such-page/")
    # The sign-in form in its error state.
    browser.get("/accounts/sign-in/")
    browser.fill("username", "nobody@northshire.demo").fill("password", "wrong")
    browser.press("Sign in")
    assert "error" in browser.driver.title.lower()


def test_lapsed_vetting_page(browser):
    browser.sign_in("lapsed@northshire.demo")
    assert "cannot" in browser.text().lower()
