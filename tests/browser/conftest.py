"""The browser suite: headless Chromium from the system packages (never a downloaded one),
driven by Selenium against a live server holding the demo partnership, with axe-core run on
every page a test visits.

Runs only with ``--browser`` (``make test-browser``); ``make test`` deselects it. On a
failure the page's screenshot and HTML are kept in ``browser-artifacts/``.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test.utils import override_settings

from tests.browser.site import CHECKED, Browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "browser-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_SOURCE = AXE.read_text() if AXE.exists() else ""
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def demo_site(django_db_setup, django_db_blocker):
    """A live server over the seeded demo partnership, shared by the whole browser suite
    (seeding takes seconds; each journey works on its own demo records)."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    server = LiveServer("localhost:0")
    server._live_server_modified_settings.enable()
    yield server
    server._live_server_modified_settings.disable()
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            pytest.exit(f"{path} is missing: apt-get install chromium chromium-driver", 3)
    if not AXE.exists():
        pytest.exit(f"{AXE} is missing: npm ci", 3)
    # Selenium Manager must never fetch a browser or driver: both paths are given.
    os.environ["SE_OFFLINE"] = "true"
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    # axe-core is put into every page as it loads (no per-page upload over WebDriver).
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": AXE_SOURCE})
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser(request, demo_site, chromium, settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    chromium.delete_all_cookies()
    site = Browser(chromium, demo_site.url, AXE_SOURCE)
    request.node._browser = site
    yield site
    chromium.delete_all_cookies()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    site = getattr(item, "_browser", None)
    if report.when == "call" and report.failed and site is not None:
        ARTIFACTS.mkdir(exist_ok=True)
        stem = ARTIFACTS / item.name.replace("/", "_").replace("[", "-").replace("]", "")
        try:
            site.driver.save_screenshot(f"{stem}.png")
            Path(f"{stem}.html").write_text(site.driver.page_source)
            report.sections.append(
                ("browser", f"screenshot: {stem}.png at {site.driver.current_url}")
            )
        except Exception as error:  # a dead browser must not hide the real failure
            report.sections.append(("browser", f"no screenshot: {error}"))
    return report


def pytest_terminal_summary(terminalreporter):
    if CHECKED:
        paths = {path.split("?")[0] for _role, path, _count in CHECKED}
        violations = sum(count for _role, _path, count in CHECKED)
        terminalreporter.write_line(
            f"axe-core: {len(CHECKED)} page checks ({len(paths)} distinct paths, "
            f"{len({role for role, _p, _c in CHECKED})} sign-ins); {violations} violations"
        )
