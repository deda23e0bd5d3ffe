"""Headless Chromium (Debian's build) driven by Playwright, at a phone viewport.

Every browser context opened through these fixtures fails its test if a page
makes a request to any origin other than the live test server: such requests
are aborted (nothing leaves the machine) and reported at teardown.
"""

import os
from urllib.parse import urlsplit

import pytest

from programs.demo_content import load_demo_content

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class OtherOrigin(AssertionError):
    pass


class OriginGuard:
    """Records, and aborts, every request a context makes outside `origin`."""

    # Not network requests: inline data, and links the phone hands to its dialler.
    LOCAL_SCHEMES = ("data", "blob", "about", "tel")

    def __init__(self, context, origin):
        self.own = urlsplit(origin).netloc
        self.foreign = []
        # The event sees every request, including ones the route then aborts.
        context.on("request", self._record)
        context.route(self._is_foreign, lambda route: route.abort("blockedbyclient"))

    def _is_foreign(self, url):
        parts = urlsplit(url)
        return parts.scheme not in self.LOCAL_SCHEMES and parts.netloc != self.own

    def _record(self, request):
        if self._is_foreign(request.url):
            self.foreign.append(request.url)

    def check(self):
        if self.foreign:
            raise OtherOrigin(f"requests to other origins: {self.foreign}")


@pytest.fixture
def site_content(transactional_db):
    """Demo content committed where the live server's thread can read it."""
    load_demo_content()


@pytest.fixture
def open_context(chromium, live_server):
    """Factory for guarded browser contexts; each one is checked and closed at teardown."""
    opened = []

    def open_(**options):
        context = chromium.new_context(**{**PHONE, **options}, base_url=live_server.url)
        opened.append((context, OriginGuard(context, live_server.url)))
        return context

    yield open_
    for context, _guard in opened:
        context.close()
    for _context, guard in opened:
        guard.check()


@pytest.fixture
def phone(open_context):
    """A page at a phone-sized viewport that fails the test on any other-origin request."""
    return open_context().new_page()


@pytest.fixture
def phone_without_js(open_context):
    return open_context(java_script_enabled=False).new_page()


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def assert_no_axe_violations(axe, page):
    results = axe.run(
        page,
        options={
            "runOnly": {
                "type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
            }
        },
    )
    violations = results.response["violations"]
    assert not violations, f"{page.url}: " + results.generate_report()
