import pytest

from programs import selectors

from .html_parts import parse

pytestmark = pytest.mark.django_db


def assert_site_style(parts):
    stylesheets = [el.attrs["href"] for el in parts.find_all("link", rel="stylesheet")]
    assert stylesheets == ["/static/vendor/bootstrap/bootstrap.min.css", "/static/css/site.css"]
    assert parts.find_all("a", class_="navbar-brand", href="/")
    assert parts.meta(name="robots").startswith("noindex")


@pytest.mark.parametrize("url", ["/no-such-page/", "/programs/no-such-program/", "/programs/x/y/"])
def test_404_is_in_site_style_with_header_footer_and_phone(client, demo_content, url):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    parts = parse(html)
    assert_site_style(parts)
    assert parts.title == "Page not found | Sheer Recovery"
    assert "We couldn’t find that page" in html
    assert parts.find_all("a", href="tel:+19495550142")
    assert parts.find_all("footer")
    for prop in ["og:title", "og:description", "og:image", "og:url"]:
        assert parts.meta(prop=prop).strip(), prop


@pytest.fixture
def server_error_client(client):
    client.raise_request_exception = False
    return client


@pytest.mark.urls("tests.programs.urls_broken")
def test_500_page_shows_the_phone_number_when_the_database_works(server_error_client, demo_content):
    response = server_error_client.get("/test-broken/")
    assert response.status_code == 500
    assert response["Cache-Control"] == "no-store"
    parts = parse(response.content.decode())
    assert_site_style(parts)
    assert parts.title == "Something went wrong | Sheer Recovery"
    assert parts.find_all("a", href="tel:+19495550142")
    assert parts.find_all("a", href="tel:988")


@pytest.mark.urls("tests.programs.urls_broken")
def test_500_page_keeps_the_phone_number_when_the_database_is_what_failed(server_error_client, demo_content):
    server_error_client.get("/")  # this process has read the site facts before
    # The failed query aborts the transaction, so the 500 handler's own query fails too.
    response = server_error_client.get("/test-broken-database/")
    assert response.status_code == 500
    html = response.content.decode()
    parts = parse(html)
    assert_site_style(parts)
    assert parts.find_all("a", href="tel:+19495550142")
    assert "table_that_does_not_exist" not in html  # no internals reach the visitor


@pytest.mark.urls("tests.programs.urls_broken")
def test_500_page_without_any_phone_number_still_renders(server_error_client, demo_content, monkeypatch):
    monkeypatch.setattr(selectors, "_last_known_facts", None)  # a fresh process whose first query failed
    response = server_error_client.get("/test-broken-database/")
    assert response.status_code == 500
    parts = parse(response.content.decode())
    assert_site_style(parts)
    assert not parts.find_all("a", href="tel:+19495550142")
    assert parts.find_all("a", href="tel:988")
