"""The Spanish side in a phone browser (390×844): the path a Spanish-speaking
family takes from the home page to a program, the comparison and the
consultation form, with axe-core on every page and no request to any other
origin (OriginGuard, in conftest)."""

import pytest

from .conftest import assert_no_axe_violations

pytestmark = pytest.mark.usefixtures("site_content")

IOP = "/es/programas/programa-intensivo-ambulatorio/"


def _open(page, path):
    response = page.goto(path)
    assert response.status == 200, f"{path}: HTTP {response.status}"
    assert page.locator("html").get_attribute("lang") == "es"
    return response


def test_home_to_program_to_comparison_to_consultation_in_spanish(phone, axe):
    _open(phone, "/es/")
    assert_no_axe_violations(axe, phone)

    phone.locator(f"main a[href='{IOP}']").first.click()
    phone.wait_for_url(f"**{IOP}")
    assert phone.get_by_role("heading", level=1).inner_text().startswith("Programa Intensivo Ambulatorio")
    assert_no_axe_violations(axe, phone)

    phone.get_by_text("Menú", exact=True).click()
    phone.get_by_role("link", name="Comparar programas").click()
    phone.wait_for_url("**/es/niveles-de-atencion/")
    assert phone.get_by_role("table").get_by_role("row").count() == 4  # a header row and the three programs
    assert_no_axe_violations(axe, phone)

    phone.get_by_role("link", name="Pida una consulta gratuita").first.click()
    phone.wait_for_url("**/es/admisiones/consulta/")
    assert_no_axe_violations(axe, phone)
    # The crisis line names 988's Spanish option.
    assert "marque 2" in phone.locator("body").inner_text()


def test_language_switch_keeps_the_page(phone):
    _open(phone, IOP)
    switch = phone.locator("nav.language-switch a")
    assert switch.get_attribute("lang") == "en"
    switch.click()
    phone.wait_for_url("**/programs/intensive-outpatient-program/")
    assert phone.locator("html").get_attribute("lang") == "en"
    phone.locator("nav.language-switch a").click()
    phone.wait_for_url(f"**{IOP}")


def test_spanish_form_error_is_spanish_and_keeps_answers(phone_without_js):
    page = phone_without_js
    _open(page, "/es/admisiones/consulta/")
    page.get_by_label("Nombre", exact=False).first.fill("Rosa")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "Este campo es obligatorio" in body or "obligatori" in body
    assert page.locator("input[value='Rosa']").count() == 1
