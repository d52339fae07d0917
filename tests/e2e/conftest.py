"""Browser tests: Debian's Chromium driven headless by Playwright, with axe-core on every page.

Every page a test loads must be checked with `a11y.check()` (WCAG 2.2 A and AA rules, zero
violations); a page loaded and never checked fails the test at teardown, so no page slips by.
Console errors (including Content-Security-Policy refusals) fail the test too.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS", Path(__file__).resolve().parents[2] / "test-results"))


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run. Missing Chromium is an error, never a silent skip."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' package (make system-packages).")
    if not AXE_SOURCE.exists():
        pytest.fail(f"axe-core not found at {AXE_SOURCE}: run 'make assets' (npm ci).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # (factories, reading the outbox) are still synchronous and safe here. Set only while the
    # browser runs, so that subprocesses started by other tests do not inherit it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Accessibility:
    """Runs axe-core on the current page and remembers which loaded pages were checked."""

    def __init__(self, page, request):
        self.page = page
        self.request = request
        self.loaded = []
        self.checked = []
        self.console_errors = []
        self._axe = AXE_SOURCE.read_text()
        page.on("load", lambda p: self.loaded.append(p.url))
        page.on("console", self._console)

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(f"{self.page.url}: {message.text}")

    def check(self, name: str = ""):
        """Assert zero axe violations (WCAG 2.2 A/AA) on the page as it is now; save a screenshot."""
        self.page.wait_for_load_state("load")
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            # evaluate() runs through the DevTools protocol, so the page's CSP does not block it.
            self.page.evaluate(self._axe + "\n;true")
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        violations = result["violations"]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        label = name or f"{self.request.node.name}-{len(self.checked) + 1}"
        self.page.screenshot(path=str(SCREENSHOTS / f"{label}.png"), full_page=True)
        self.checked.append(self.page.url)
        assert not violations, f"axe violations on {self.page.url}:\n" + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:5])
            for v in violations
        )

    def assert_all_checked(self):
        unchecked = [url for url in self.loaded if url not in self.checked]
        assert not unchecked, f"pages loaded but never checked with axe: {unchecked}"
        assert not self.console_errors, "browser console errors:\n" + "\n".join(self.console_errors)


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser context on the live server; axe must check every page it loads."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.a11y = Accessibility(page, request)
    yield page
    try:
        page.a11y.assert_all_checked()
    finally:
        context.close()


@pytest.fixture
def a11y(page):
    return page.a11y
