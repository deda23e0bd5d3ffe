"""The form token and the spam counters on their own."""

import time

import pytest
from django.core import signing

from admissions.intake import spam
from admissions.models import BlockedSubmission

from .intake_support import cache_table_fixture  # noqa: F401


def test_token_round_trip_keeps_id_time_and_consent_versions():
    token = spam.form_token_issue(consent_ids=[3, 7])
    read = spam.form_token_read(token.sign())
    assert read.id == token.id and read.consent_ids == (3, 7) and not read.reissued
    assert abs(read.issued_at - token.issued_at) < 1


@pytest.mark.parametrize(
    "signed",
    [
        None,
        "",
        "x" * 600,
        signing.dumps({"id": "0" * 32, "at": 0}, salt="another.purpose"),  # valid signature, wrong salt
        signing.dumps({"at": 0}, salt=spam.TOKEN_SALT),  # no id
        signing.dumps({"id": "not-hex", "at": 0}, salt=spam.TOKEN_SALT),
        signing.dumps({"id": "0" * 32, "at": "soon"}, salt=spam.TOKEN_SALT),
    ],
)
def test_tampered_or_foreign_tokens_are_refused(signed):
    assert spam.form_token_read(signed) is None


def test_an_edited_issue_time_breaks_the_signature():
    token = spam.form_token_issue()
    signed = token.sign()
    signature = signed.split(":")[-1]
    # Same id, issue time moved back an hour, old signature kept.
    older = spam.FormToken(id=token.id, issued_at=token.issued_at - 3600).sign()
    forged = ":".join(older.split(":")[:-1] + [signature])
    assert forged != signed and spam.form_token_read(forged) is None
    assert spam.form_token_read(signed) is not None


def test_fill_time(settings):
    settings.ADMISSIONS_MIN_FILL_SECONDS = 3
    now = time.time()
    fresh = spam.FormToken(id=spam.form_token_issue().id, issued_at=now - 1)
    assert spam.is_too_fast(fresh, now=now)
    assert not spam.is_too_fast(spam.FormToken(id=fresh.id, issued_at=now - 4), now=now)
    # Issue 15 #12: a token handed out again after a post without one gets the
    # same check (a bot leaving the token out must not skip it); a person
    # caught by it is stored and flagged, never dropped (test_views_intake).
    assert spam.is_too_fast(spam.FormToken(id=fresh.id, issued_at=now, reissued=True), now=now)


def test_honeypot():
    assert spam.honeypot_filled({"website": "http://x"})
    assert not spam.honeypot_filled({"website": "   "})
    assert not spam.honeypot_filled({})


@pytest.mark.django_db
@pytest.mark.usefixtures("cache_table")
def test_rate_limit_window_per_address_and_form(settings):
    settings.ADMISSIONS_RATE_LIMIT = 2
    results = [spam.rate_limit_take(kind="consultation", client_ip="2001:db8::1") for _ in range(4)]
    assert results == [False, False, True, True]
    assert not spam.rate_limit_take(kind="insurance", client_ip="2001:db8::1")
    assert not spam.rate_limit_take(kind="consultation", client_ip=None)  # unknown address: never over


@pytest.mark.django_db
@pytest.mark.usefixtures("cache_table")
def test_a_refund_gives_the_allowance_back(settings):
    settings.ADMISSIONS_RATE_LIMIT = 1
    for _ in range(5):
        assert not spam.rate_limit_take(kind="consultation", client_ip="198.51.100.7")
        spam.rate_limit_refund(kind="consultation", client_ip="198.51.100.7")
    assert not spam.rate_limit_take(kind="consultation", client_ip="198.51.100.7")
    assert spam.rate_limit_take(kind="consultation", client_ip="198.51.100.7")


@pytest.mark.django_db
def test_blocked_counter_is_one_row_per_day_form_and_reason():
    for _ in range(3):
        spam.blocked_submission_count(kind="consultation", reason="honeypot")
    spam.blocked_submission_count(kind="consultation", reason="too_fast")
    rows = {(row.reason, row.count) for row in BlockedSubmission.objects.all()}
    assert rows == {("honeypot", 3), ("too_fast", 1)}
