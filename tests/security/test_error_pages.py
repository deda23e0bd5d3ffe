"""Issue 15 #7: a form post in a charset other than UTF-8 gets the 400 page,
never a 500, on both forms and the admin login; and every error handler copes
with such a body."""

import pytest
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse

pytestmark = pytest.mark.django_db

BODIES = {
    "latin-1": "first_name=Jos%E9&csrfmiddlewaretoken=x".encode("latin-1"),
    "iso-8859-1": "first_name=Jos\xe9".encode("latin-1"),
    "utf-16": "first_name=José&csrfmiddlewaretoken=x".encode("utf-16"),
}
URL_NAMES = ["admissions:consultation", "admissions:verify_insurance", "admin:login"]


def post(client, url, charset):
    return client.generic(
        "POST", url, BODIES[charset], content_type=f"application/x-www-form-urlencoded; charset={charset}"
    )


@pytest.fixture
def csrf_client():
    # As a browser: CSRF enforced, with its cookie (the check then reads the body).
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get(reverse("admin:login"))
    assert "csrftoken" in client.cookies
    return client


@pytest.mark.parametrize("charset", BODIES)
@pytest.mark.parametrize("name", URL_NAMES)
def test_a_non_utf8_form_post_gets_the_400_page(csrf_client, name, charset):
    response = post(csrf_client, reverse(name), charset)
    assert response.status_code == 400, (name, charset)
    assert "could not read what your browser sent" in response.content.decode()
    assert response["Content-Security-Policy"] and response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("charset", BODIES)
def test_unknown_urls_and_other_methods_answer_400_too(csrf_client, demo_content, charset):
    for url in ("/no-such-page/at/all/", "/robots.txt", "/", f"/{reverse('admin:index')[1:]}x/"):
        response = post(csrf_client, url, charset)
        assert response.status_code == 400, (url, charset, response.status_code)


def test_a_utf8_post_still_reaches_the_view(csrf_client):
    response = csrf_client.post(reverse("admin:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403  # no CSRF token in the body: the CSRF check ran, as before


@pytest.mark.parametrize("charset", BODIES)
@pytest.mark.parametrize("code, expected", [(400, 400), (403, 403), (404, 404), (500, 500)])
def test_every_error_handler_copes_with_an_unreadable_body(code, expected, charset, demo_content):
    from django.core.exceptions import BadRequest, PermissionDenied
    from django.http import Http404

    handler = get_resolver().resolve_error_handler(code)
    request = RequestFactory().generic(
        "POST", "/x/", BODIES[charset], content_type=f"application/x-www-form-urlencoded; charset={charset}"
    )
    request.COOKIES["csrftoken"] = "a" * 32  # the CSRF check inside Django's views would read the body
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    request.user, request.session = AnonymousUser(), SessionStore()
    exception = {400: BadRequest(), 403: PermissionDenied(), 404: Http404()}.get(code)
    response = handler(request) if code == 500 else handler(request, exception=exception)
    assert response.status_code == expected
