"""Issue 10: the lead inbox fits a laptop and a phone. At 1280×800 every
column of the list is on screen, nothing scrolls sideways; on a 390×844
phone the page itself never scrolls sideways either, and the Today list
reads as a list."""

import pytest
from django.apps import apps
from django.urls import reverse

from tests.admissions.factories import coordinator, make_consultation, otp_verify

from .test_coordinator_works_lead import sign_in

pytestmark = pytest.mark.usefixtures("site_content")

FITS = """() => {
  const table = document.querySelector('#result_list');
  const rect = table.getBoundingClientRect();
  const headers = [...table.querySelectorAll('thead th')].map(th => th.getBoundingClientRect().right);
  return {
    tableRight: rect.right,
    lastHeaderRight: Math.max(...headers),
    viewport: window.innerWidth,
    pageScrolls: document.documentElement.scrollWidth > window.innerWidth + 1,
    columns: headers.length,
  };
}"""


def _signed_in(page):
    user = coordinator("robin", first_name="Robin", last_name="Reyes")
    device = otp_verify(user)[0] if apps.is_installed("django_otp") else None
    sign_in(page, "robin", device)


def test_every_inbox_column_is_visible_at_1280_by_800(open_context):
    for n in range(6):
        make_consultation(first_name="Ana", last_name=f"Castellanos-Villanueva{'x' * n}")
    page = open_context(viewport={"width": 1280, "height": 800}, is_mobile=False, has_touch=False).new_page()
    _signed_in(page)
    page.goto(reverse("admin:admissions_lead_changelist"))
    fit = page.evaluate(FITS)
    assert fit["columns"] >= 7  # number, person, phone, status, received, follow-up, coordinator
    assert fit["lastHeaderRight"] <= fit["viewport"], fit
    assert fit["tableRight"] <= fit["viewport"], fit
    assert not fit["pageScrolls"], fit


def test_the_inbox_and_today_never_scroll_sideways_on_a_phone(phone):
    for _ in range(3):
        make_consultation()
    _signed_in(phone)
    for url in (reverse("admin:admissions_lead_changelist"), reverse("admin:admissions_lead_today")):
        phone.goto(url)
        scrolls = phone.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")
        assert not scrolls, url
