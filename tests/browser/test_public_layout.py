"""Issue 12, tried on a phone (390×844) and a laptop (1280×800): axe on every
public page including the team page, the "no tracking" page and both forms;
the <details> menu by keyboard; the comparison as cards on a phone; pictures
served from our own origin; the "other insurer" box; screenshots of the home
and a program page at both sizes in test-artifacts/ for review."""

from pathlib import Path

import pytest

from tests.admissions.intake_support import cache_table_fixture  # noqa: F401

from .conftest import PHONE, assert_no_axe_violations
from .test_public_pages import PUBLIC_PAGES

pytestmark = pytest.mark.usefixtures("site_content", "cache_table")

FORMS = ["/admissions/consultation/", "/admissions/verify-insurance/"]
LAPTOP = {
    "viewport": {"width": 1280, "height": 800},
    "device_scale_factor": 1,
    "is_mobile": False,
    "has_touch": False,
}
SIZES = {"phone": PHONE, "laptop": LAPTOP}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PROGRAM = "/programs/intensive-outpatient-program/"


def _page(open_context, size, **options):
    return open_context(**SIZES[size], **options).new_page()


def _open(page, path):
    response = page.goto(path)
    assert response.status == 200, f"{path}: HTTP {response.status}"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path", [*PUBLIC_PAGES, *FORMS])
def test_axe_at_both_sizes(open_context, axe, size, path):
    page = _page(open_context, size)
    _open(page, path)
    assert_no_axe_violations(axe, page)
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{path}: sideways scroll at {size} size"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path", ["/", PROGRAM])
def test_screenshots_and_pictures_from_our_origin(open_context, size, path):
    page = _page(open_context, size)
    _open(page, path)
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")  # lazy pictures load
    page.wait_for_load_state("networkidle")
    pictures = page.locator("picture img")
    assert pictures.count() >= 1
    hero = pictures.first
    assert hero.get_attribute("fetchpriority") == "high"
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", hero.element_handle())
    # The browser chose a modern format from our own /media/renditions/.
    assert "/media/renditions/" in hero.evaluate("img => img.currentSrc")
    assert hero.evaluate("img => img.currentSrc").endswith((".avif", ".webp"))
    ARTIFACTS.mkdir(exist_ok=True)
    name = "home" if path == "/" else "program"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}-{size}.png"), full_page=True)


def test_phone_menu_is_a_disclosure_that_works_by_keyboard(phone):
    _open(phone, "/")
    programs = phone.locator(".site-nav a", has_text="Programs")
    assert not programs.is_visible(), "the menu is open before it is asked for"
    header_height = phone.locator(".site-header").bounding_box()["height"]
    assert header_height < 140, f"the header takes {header_height}px of a phone screen"
    summary = phone.locator(".site-menu > summary")
    for _ in range(10):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    else:
        pytest.fail("Tab never reached the Menu button")
    assert summary.get_attribute("aria-expanded") in (None, "false")
    phone.keyboard.press("Enter")
    assert programs.is_visible()
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent.trim()") == "Programs"


def test_phone_menu_works_without_javascript(phone_without_js):
    _open(phone_without_js, "/")
    phone_without_js.locator(".site-menu > summary").click()
    assert phone_without_js.locator(".site-nav a", has_text="Our team").is_visible()


def test_laptop_shows_the_links_without_a_menu_button(open_context):
    page = _page(open_context, "laptop")
    _open(page, "/")
    assert page.locator(".site-nav a", has_text="Programs").is_visible()
    assert not page.locator(".site-menu > summary").is_visible()


def test_comparison_is_cards_on_a_phone_and_still_a_table(phone):
    _open(phone, "/levels-of-care/")
    table = phone.get_by_role("table", name="Levels of care at Sheer Recovery")
    assert table.get_by_role("row").count() == 4
    assert table.get_by_role("cell").count() == 15
    cell = table.locator("td").first
    assert cell.evaluate("td => getComputedStyle(td).display") == "grid"
    assert cell.evaluate("td => getComputedStyle(td, '::before').content") == '"Days a week"'


def test_body_text_lines_stay_short_on_a_laptop(open_context):
    page = _page(open_context, "laptop")
    _open(page, PROGRAM)
    width = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.program-body p')).width)")
    ch = page.evaluate(
        """() => { const s = document.createElement('span'); s.textContent = '0'.repeat(100);
        document.querySelector('.program-body p').append(s); const w = s.getBoundingClientRect().width / 100; s.remove(); return w; }"""
    )
    assert width / ch <= 80, f"lines of about {width / ch:.0f} characters"


def test_program_call_to_action_preselects_the_program(phone):
    _open(phone, PROGRAM)
    link = phone.locator('a[href="/admissions/consultation/?program=intensive-outpatient-program"]')
    assert "Ask about IOP" in link.inner_text()
    link.click()
    phone.wait_for_url("**/admissions/consultation/?program=intensive-outpatient-program")
    chosen = phone.locator("select[name=level_of_care] option:checked").inner_text()
    assert chosen.startswith("Intensive Outpatient Program")


def test_other_insurer_box_only_after_choosing_other(phone, phone_without_js):
    _open(phone, "/admissions/verify-insurance/")
    box = phone.locator("#id_carrier_other")
    assert not box.is_visible()
    phone.locator("select[name=carrier]").select_option(value="other")
    assert box.is_visible()
    _open(phone_without_js, "/admissions/verify-insurance/")
    assert phone_without_js.locator("#id_carrier_other").is_visible()


def test_faq_answers_open_by_keyboard(phone):
    _open(phone, PROGRAM)
    first = phone.locator("details.faq").first
    first.locator("summary").focus()
    phone.keyboard.press("Enter")
    assert first.get_attribute("open") is not None
    assert first.locator("p").is_visible()
