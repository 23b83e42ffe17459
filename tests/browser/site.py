"""A thin page driver for the browser suite: sign in, visit, click, fill, submit; every page
it lands on is checked with axe-core (WCAG 2.2 AA rule tags) and must have no violation.

With BROWSER_AXE_REPORT=path the violations are appended to that file (JSON lines) instead
of failing, to measure a baseline.
"""

import contextlib
import json
import os
from urllib.parse import urljoin, urlsplit

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
if os.environ.get("BROWSER_AXE_TAGS"):  # e.g. add best-practice when measuring
    AXE_TAGS = os.environ["BROWSER_AXE_TAGS"].split(",")
DEMO_PASSWORD = "Demo-Partnership-2026"

RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: TAGS}, resultTypes: ['violations']})
  .then(result => done(result.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                                summary: n.failureSummary}))}))))
  .catch(error => done({error: String(error)}));
""".replace("TAGS", json.dumps(AXE_TAGS))


# Set before each click: a new document forgets it, an htmx swap or error ends it.
MARK_STEP = """
window.__step = 'pending';
for (const name of ['htmx:afterSwap', 'htmx:responseError', 'htmx:sendError']) {
  document.addEventListener(name, () => { window.__step = name; }, {once: true});
}
"""


# Every (role, path) checked with axe in this run, for the summary line of the suite.
CHECKED = []


class AxeViolations(AssertionError):
    pass


def describe(url, violations):
    lines = [f"axe-core: {len(violations)} violation(s) on {url}"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    at {node['target']}: {node['html']}")
            lines.append("      " + node["summary"].replace("\n", "\n      "))
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


class Browser:
    def __init__(self, driver, base_url, axe_source):
        self.driver = driver
        self.base_url = base_url
        self.axe_source = axe_source
        self.report = os.environ.get("BROWSER_AXE_REPORT")
        self.visited = []  # every URL checked with axe
        self.role = ""

    # -- navigation ----------------------------------------------------------------
    def url(self, path):
        return urljoin(self.base_url, path)

    @property
    def path(self):
        parts = urlsplit(self.driver.current_url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def get(self, path, check=True):
        self.driver.get(self.url(path))
        if check:
            self.check()
        return self

    def wait_ready(self):
        # A full page load, and no htmx request still in flight (htmx marks the element).
        WebDriverWait(self.driver, 30).until(
            lambda d: d.execute_script(
                "return document.readyState === 'complete'"
                " && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
            )
        )

    def act(self, element):
        """Click, then wait for what the click started: a new page, or an htmx request and
        its swap (htmx answers in place, so the document never reloads)."""
        self.driver.execute_script(MARK_STEP)
        element.click()
        # A click that neither loads a page nor asks htmx has nothing to wait for.
        with contextlib.suppress(TimeoutException):
            WebDriverWait(self.driver, 15).until(
                lambda d: d.execute_script("return window.__step !== 'pending'")
            )
        self.wait_ready()

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css="main"):
        return self.find(css).text

    def heading(self):
        return self.find("h1").text

    def click_link(self, text, check=True):
        self.act(self.driver.find_element(By.PARTIAL_LINK_TEXT, text))
        if check:
            self.check()
        return self

    def click_href(self, pattern, text="", check=True):
        """Follow the first link in <main> whose path matches the regular expression (and
        whose text contains ``text``)."""
        import re

        for link in self.find_all("main a[href]"):
            path = urlsplit(link.get_attribute("href")).path
            if re.fullmatch(pattern, path) and text in link.text:
                self.act(link)
                if check:
                    self.check()
                return self
        raise AssertionError(f"no link to {pattern} on {self.path}")

    def press(self, text, check=True, within=None):
        """Click the submit button whose text contains ``text``."""
        within = within or self.scope
        for button in self.find_all(f"{within} button, {within} input[type=submit]"):
            label = button.text or button.get_attribute("value") or ""
            if text.lower() in label.lower() and button.is_displayed():
                self.act(button)
                if check:
                    self.check()
                return self
        labels = [
            b.text or b.get_attribute("value") for b in self.find_all("button, input[type=submit]")
        ]
        raise AssertionError(f"no button {text!r} on {self.path}; there are {labels}")

    scope = "main"  # where field() and press() look; a test may narrow it to one panel

    def field(self, name):
        """The control named ``name``, or a prefixed form's ``<prefix>-name``."""
        scope = self.scope
        found = self.find_all(f"{scope} [name='{name}']") or self.find_all(
            f"{scope} [name$='-{name}']"
        )
        if not found:
            raise AssertionError(f"no field {name!r} on {self.path}")
        return found[0]

    def fill(self, name, value):
        field = self.field(name)
        kind = field.tag_name
        if kind == "select":
            from selenium.webdriver.support.ui import Select

            select = Select(field)
            try:
                select.select_by_visible_text(value)
            except Exception:
                select.select_by_value(value)
        elif field.get_attribute("type") in ("radio", "checkbox"):
            self.choose(field.get_attribute("name"), value)
        else:
            field.clear()
            field.send_keys(value)
        return self

    def choose(self, name, value):
        self.find(f"{self.scope} [name='{name}'][value='{value}']").click()
        return self

    # -- session -------------------------------------------------------------------
    def sign_in(self, email, password=DEMO_PASSWORD):
        self.role = email
        self.get("/accounts/sign-in/")
        self.fill("username", email).fill("password", password)
        self.press("Sign in")
        return self

    def sign_out(self):
        self.press("Sign out", within=".app-user-bar")
        return self

    # -- accessibility ---------------------------------------------------------------
    def check(self):
        """Run axe-core on the current page; no violation allowed."""
        self.wait_ready()
        if not self.driver.execute_script("return typeof axe !== 'undefined'"):
            self.driver.execute_script(self.axe_source)
        violations = self.driver.execute_async_script(RUN_AXE)
        if isinstance(violations, dict):
            raise AssertionError(f"axe-core failed on {self.path}: {violations['error']}")
        self.visited.append(self.path)
        CHECKED.append((self.role, self.path, len(violations)))
        if self.report:
            with open(self.report, "a") as out:
                out.write(
                    json.dumps({"role": self.role, "url": self.path, "violations": violations})
                    + "\n"
                )
            return []
        if violations:
            raise AxeViolations(describe(self.path, violations))
        return violations
