"""The public site in a phone browser: the path a person takes to a call,
accessibility (axe-core), keyboard use, JavaScript off and narrow screens."""

import pytest

from .conftest import OriginGuard, OtherOrigin, assert_no_axe_violations

PHONE_NUMBER = "tel:+19495550142"

PROGRAM_PAGES = [
    "/programs/intensive-outpatient-program/",
    "/programs/partial-hospitalization-program/",
    "/programs/outpatient-program/",
]
PLAIN_PAGES = [
    "/about/",
    "/insurance/",
    "/sober-living/",
    "/privacy/",
    "/accessibility/",
    "/no-tracking/",
    "/licensing/",
]
PUBLIC_PAGES = ["/", "/programs/", *PROGRAM_PAGES, "/levels-of-care/", "/team/", *PLAIN_PAGES]
NOT_FOUND = "/no-such-page/"

pytestmark = pytest.mark.usefixtures("site_content")


def _open(page, path, status=200):
    response = page.goto(path)
    assert response.status == status, f"{path}: HTTP {response.status}"
    return response


def _in_viewport(page, locator):
    box = locator.bounding_box()
    viewport = page.viewport_size
    assert box is not None, "element is not rendered"
    return box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] and box["height"] > 0


def test_home_to_program_to_comparison_to_call(phone):
    _open(phone, "/")
    phone.get_by_role("link", name="Intensive Outpatient Program (IOP)").first.click()
    phone.wait_for_url("**/programs/intensive-outpatient-program/")
    assert phone.get_by_role("heading", level=1).inner_text().startswith("Intensive Outpatient Program")

    phone.get_by_text("Menu", exact=True).click()  # issue 12: the links fold behind a menu on phones
    phone.get_by_role("link", name="Compare care").click()
    phone.wait_for_url("**/levels-of-care/")
    table = phone.get_by_role("table", name="Levels of care at Sheer Recovery")
    assert table.get_by_role("row").count() == 4  # a header row and the three programs

    call = phone.locator("a.call-bar")
    assert call.get_attribute("href") == PHONE_NUMBER
    assert "Call" in call.inner_text()
    assert _in_viewport(phone, call), "the call bar is not on screen on a phone"

    phone.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    phone.wait_for_function("window.scrollY > 0")
    assert _in_viewport(phone, call), "the call bar scrolled away"
    # At the bottom, the bar must not hide the last line of the footer.
    last_line = phone.locator(".site-footer p").last
    box = last_line.bounding_box()
    covering = phone.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('.call-bar') !== null",
        [box["x"] + 5, box["y"] + box["height"] / 2],
    )
    assert not covering, "the call bar covers the end of the footer"

    # Reachable by keyboard: Tab eventually lands on it.
    phone.evaluate("window.scrollTo(0, 0)")
    links = phone.locator("a[href], button, [tabindex='0']").count()
    for _ in range(links + 2):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.classList.contains('call-bar')"):
            break
    else:
        pytest.fail("Tab never reached the call bar")
    assert _in_viewport(phone, call)

    # Following the link hands the number to the phone's dialler; the page stays.
    with phone.expect_request(lambda request: request.url.startswith("tel:"), timeout=2000) as dialled:
        call.click()
    assert dialled.value.url == PHONE_NUMBER


@pytest.mark.parametrize("path", [*PUBLIC_PAGES, NOT_FOUND])
def test_axe_finds_no_violations(phone, axe, path):
    _open(phone, path, status=404 if path == NOT_FOUND else 200)
    assert_no_axe_violations(axe, phone)


@pytest.mark.parametrize("path", ["/", PROGRAM_PAGES[0], "/levels-of-care/"])
def test_axe_finds_no_violations_on_a_desktop_screen(open_context, axe, path):
    """The header's desktop layout and the hidden call bar change what axe sees."""
    desktop = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False}
    page = open_context(**desktop, device_scale_factor=1).new_page()
    _open(page, path)
    assert not page.locator("a.call-bar").is_visible()
    assert page.locator("a.header-call").get_attribute("href") == PHONE_NUMBER
    assert_no_axe_violations(axe, page)


@pytest.mark.parametrize("path", [*PUBLIC_PAGES, NOT_FOUND])
def test_page_works_without_javascript(phone_without_js, path):
    page = phone_without_js
    _open(page, path, status=404 if path == NOT_FOUND else 200)
    assert page.get_by_role("heading", level=1).count() == 1
    assert page.get_by_role("heading", level=1).inner_text().strip()
    assert page.locator("main").inner_text().strip()
    call = page.locator("a.call-bar")
    assert call.get_attribute("href") == PHONE_NUMBER
    assert call.is_visible()
    for href in [
        "/programs/",
        "/levels-of-care/",
        "/admissions/consultation/",
        "/admissions/verify-insurance/",
    ]:
        # Visible somewhere on the page (the header's links fold behind "Menu" on phones, issue 12).
        assert page.locator(f'a[href="{href}"]:visible').count(), f"{path}: no visible link to {href}"


@pytest.mark.parametrize("path", ["/", "/programs/intensive-outpatient-program/", "/about/"])
def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(phone, path):
    _open(phone, path)
    phone.keyboard.press("Tab")
    focused = phone.evaluate("[document.activeElement.textContent.trim(), document.activeElement.hash]")
    assert focused == ["Skip to main content", "#main"]
    skip = phone.locator("a.skip-link")
    assert _in_viewport(phone, skip), "the focused skip link is not visible"
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "main"
    # The next Tab continues from main onwards, not back in the header.
    phone.keyboard.press("Tab")
    after_main = phone.evaluate(
        """() => {
            const main = document.getElementById('main'), active = document.activeElement;
            return main.contains(active) || !!(main.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    assert after_main, "Tab after the skip link went back before main"


@pytest.mark.parametrize("path", [*PUBLIC_PAGES, NOT_FOUND])
def test_no_horizontal_scroll_at_320_px(phone, path):
    phone.set_viewport_size({"width": 320, "height": 640})
    _open(phone, path, status=404 if path == NOT_FOUND else 200)
    widths = phone.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{path}: page is {widths[0]}px wide in a {widths[1]}px viewport"


def test_origin_guard_catches_a_foreign_image(chromium, live_server):
    """The guard every browser test relies on really fails on a third-party request."""
    context = chromium.new_context(base_url=live_server.url)
    guard = OriginGuard(context, live_server.url)
    page = context.new_page()
    try:
        _open(page, "/about/")
        guard.check()  # the page itself is clean
        page.evaluate(
            """() => new Promise(resolve => {
                const img = document.createElement('img');
                img.alt = '';
                img.onerror = img.onload = resolve;
                img.src = 'https://tracker.example.com/pixel.gif';
                document.querySelector('main').append(img);
            })"""
        )
    finally:
        context.close()
    assert guard.foreign == ["https://tracker.example.com/pixel.gif"]
    with pytest.raises(OtherOrigin, match="tracker.example.com"):
        guard.check()
