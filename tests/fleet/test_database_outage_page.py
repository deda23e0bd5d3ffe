"""A form post that meets an unreachable database gets the person's answers
back with a "send again" button and the phone number, status 503; once the
database is back, sending again stores the request exactly once.

A real failure, no mock: the connection is pointed at a port nothing listens on.
"""

import html
import re
import socket
from contextlib import contextmanager

import pytest
from django.db import connection

from admissions.models import ConsultationRequest, Lead
from programs.selectors import site_facts_for_error_page
from tests.admissions.intake_support import CONSULTATION_THANKS, CONSULTATION_URL, consultation_data

# Real connections are closed and reopened: a transaction per test cannot hold;
# serialized_rollback puts the seeded consents back for the tests after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def unused_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def database_unreachable():
    original = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(unused_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)


def hidden_inputs(page: str) -> list[tuple[str, str]]:
    return [
        (html.unescape(name), html.unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    ]


@pytest.fixture
def cache_ready(django_db_blocker):
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)


def test_answers_kept_then_stored_once_on_resend(client, demo_content, cache_ready):
    facts = site_facts_for_error_page()  # this process has read the phone number once
    data = consultation_data(message="Line one\n<script>alert(1)</script>")

    with database_unreachable():
        response = client.post(CONSULTATION_URL, data)

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "We couldn't save your request just now" in page
    assert f'href="tel:{facts.admissions_phone}"' in page
    # Answers shown in the form's words, escaped.
    assert "<dt>First name</dt><dd>Maria</dd>" in page
    assert "Morning (8am–12pm)" in page
    assert "A loved one" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    # Every answer, the one-time token included, goes back with the resend.
    kept = hidden_inputs(page)
    for name, value in data.items():
        assert (name, value) in kept, name
    assert not any(name == "csrfmiddlewaretoken" and value == data.get(name) for name, value in kept)
    assert ConsultationRequest.objects.count() == 0

    resend = dict(kept)
    first = client.post(CONSULTATION_URL, resend)
    assert first.status_code == 303 and first["Location"] == CONSULTATION_THANKS
    # A double click on "Send again" stores nothing more.
    second = client.post(CONSULTATION_URL, resend)
    assert second.status_code == 303
    assert ConsultationRequest.objects.count() == 1
    assert Lead.objects.count() == 1
    assert ConsultationRequest.objects.get().message == "Line one\n<script>alert(1)</script>"


def test_form_pages_offer_the_phone_and_staff_posts_keep_the_plain_error_page(client, demo_content, settings):
    site_facts_for_error_page()
    client.raise_request_exception = False
    with database_unreachable():
        form_page = client.get(CONSULTATION_URL)
        # A staff login is not echoed back (its password least of all).
        login = client.post(f"/{settings.ADMIN_PATH}login/", {"username": "a", "password": "secret-pw"})
    # Issue 16: a form page loaded during an outage says how to call (503),
    # rather than the bare error page; a staff login keeps the plain 500.
    assert form_page.status_code == 503
    assert b'href="tel:' in form_page.content
    assert login.status_code == 500
    for response in (form_page, login):
        assert b"We couldn't save" not in response.content  # not the answers page
        assert b"secret-pw" not in response.content
