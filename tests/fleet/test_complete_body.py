"""A post whose body ends before its Content-Length (the client hung up) is
refused before any view runs: nothing stored, no file written. Through the
real WSGI entry point, as gunicorn calls it."""

import io

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from admissions.models import InsuranceVerification, Lead
from sheer_site.middleware import CompleteBodyMiddleware
from tests.admissions.intake_support import (
    INSURANCE_THANKS,
    INSURANCE_URL,
    cache_table_fixture,  # noqa: F401
    files_in,
    insurance_data,
    jpeg_bytes,
    private_media_fixture,  # noqa: F401
)

pytestmark = pytest.mark.django_db


def call(app, body: bytes, *, announced: int, cookies: str = ""):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": INSURANCE_URL,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": MULTIPART_CONTENT,
        "CONTENT_LENGTH": str(announced),
        "HTTP_COOKIE": cookies,
    }
    status = {}

    def start_response(line, headers, exc_info=None):
        status["line"], status["headers"] = line, dict(headers)

    # As Django's test client does: keep the test's connection (and its
    # transaction) open across the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        b"".join(app(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return status["line"], status["headers"]


@pytest.fixture
def app():
    return CompleteBodyMiddleware(WSGIHandler())


@pytest.fixture
def post_body(demo_content, cache_table, private_media):
    token = "a" * 32
    data = insurance_data(csrfmiddlewaretoken=token)
    photo = io.BytesIO(jpeg_bytes((900, 600), color="maroon"))
    photo.name = "front.jpg"
    # Files last, as browsers send them: a cut inside the photo leaves every
    # answer complete, which is what made the short body look whole.
    data["card_front"] = photo
    return encode_multipart(BOUNDARY, data), f"csrftoken={token}"


@pytest.mark.parametrize("missing", [1, 64, 2000])
def test_cut_off_body_is_refused_and_nothing_stored(app, post_body, private_media, missing):
    body, cookies = post_body
    line, _ = call(app, body[:-missing], announced=len(body), cookies=cookies)
    assert line.startswith("403")
    assert InsuranceVerification.objects.count() == 0
    assert Lead.objects.count() == 0
    assert files_in(private_media) == []


def test_complete_body_is_stored_once_with_its_photo(app, post_body, private_media):
    body, cookies = post_body
    line, headers = call(app, body, announced=len(body), cookies=cookies)
    assert line.startswith("303"), line
    assert headers["Location"] == INSURANCE_THANKS
    assert InsuranceVerification.objects.get().card_front
    assert len(files_in(private_media)) == 1


def test_without_the_wrapper_the_cut_off_post_was_stored(post_body, private_media):
    """Why the wrapper exists: Django alone takes the early end for the end."""
    body, cookies = post_body
    line, _ = call(WSGIHandler(), body[:-2000], announced=len(body), cookies=cookies)
    assert line.startswith("303")
    stored = InsuranceVerification.objects.get()
    assert not stored.card_front  # the photo the person attached is missing
