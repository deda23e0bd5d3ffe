"""Whole public pages kept per worker (programs/page_memo.py): rendered once
per content version, never kept when personal, and an edit shows at once."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.csp import LazyNonce

from programs import page_memo
from programs.demo_content import load_demo_content
from programs.models import LevelOfCare

IOP = "/programs/intensive-outpatient-program/"


@pytest.fixture
def demo(db):
    load_demo_content()
    page_memo.clear()


def test_second_visit_is_not_rendered_again_and_an_edit_shows_at_once(client, demo):
    first = client.get(IOP)
    assert first.status_code == 200 and first.templates, "the first visit renders"
    again = client.get(IOP + "?utm_source=radio")  # a query string does not change a public page
    assert again.status_code == 200
    assert again.templates == [], "the second visit was rendered again"
    assert again.content == first.content
    assert again["Cache-Control"] == first["Cache-Control"]
    assert again.get("ETag") and again["ETag"] == first["ETag"]

    level = LevelOfCare.objects.get(slug="intensive-outpatient-program", language="en")
    level.summary = "A summary an editor just published."
    level.save()
    edited = client.get(IOP)
    assert edited.templates, "the edit did not make the page render again"
    assert b"A summary an editor just published." in edited.content


def test_each_language_is_its_own_page(client, demo):
    english = client.get("/programs/")
    spanish = client.get("/es/programas/")
    assert english.content != spanish.content
    assert b'<html lang="es"' in client.get("/es/programas/").content
    assert b'<html lang="en"' in client.get("/programs/").content


def test_not_found_is_not_kept(client, demo):
    assert client.get("/programs/no-such-program/").status_code == 404
    assert client.get("/programs/no-such-program/").templates, "a 404 was served from memory"


def _request():
    request = RequestFactory().get("/")
    request._csp_nonce = LazyNonce()
    return request


def _public():
    response = HttpResponse("page")
    response["Cache-Control"] = "public, max-age=300"
    return response


def test_personal_responses_are_never_kept():
    assert page_memo._shareable(_request(), _public())

    used_nonce = _request()
    str(used_nonce._csp_nonce)  # a template wrote the nonce into the page
    assert not page_memo._shareable(used_nonce, _public())

    with_token = _request()
    with_token.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    assert not page_memo._shareable(with_token, _public())

    cookie = _public()
    cookie.set_cookie("x", "1")
    assert not page_memo._shareable(_request(), cookie)

    private = _public()
    private["Cache-Control"] = "private, no-store"
    assert not page_memo._shareable(_request(), private)
