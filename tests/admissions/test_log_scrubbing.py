"""A database error's message can quote a person's data; logs never show it."""

import logging
import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from admissions.phi.log_filters import ScrubDatabaseErrorDetail

pytestmark = pytest.mark.django_db(transaction=False)

CANARY = "canary-" + uuid.uuid4().hex[:12]


def _integrity_error_quoting_the_row():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE scrub_probe (name text CHECK (name <> %s))", [CANARY])
        try:
            with transaction.atomic():
                cursor.execute("INSERT INTO scrub_probe VALUES (%s)", [CANARY])
        except IntegrityError as exc:
            return exc
    raise AssertionError("the probe insert should have failed")


def test_postgres_really_quotes_the_row_so_the_filter_is_needed():
    exc = _integrity_error_quoting_the_row()
    assert CANARY in str(exc) or CANARY in str(exc.__cause__.diag.message_detail)


def test_a_logged_database_error_keeps_its_traceback_but_not_the_row(caplog):
    exc = _integrity_error_quoting_the_row()
    handler = logging.StreamHandler()
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error", None, None
    )
    record.exc_info = (type(exc), exc, exc.__traceback__)
    assert ScrubDatabaseErrorDetail().filter(record)
    formatted = logging.Formatter("%(message)s").format(record)
    assert CANARY not in formatted
    assert "IntegrityError" in formatted and "SQLSTATE 23514" in formatted
    assert "Traceback" in formatted and "_integrity_error_quoting_the_row" in formatted
    handler.close()


def test_other_errors_are_logged_unchanged():
    try:
        raise ValueError("plain programming error")
    except ValueError as exc:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "m", None, (ValueError, exc, exc.__traceback__)
        )
    ScrubDatabaseErrorDetail().filter(record)
    assert "plain programming error" in logging.Formatter("%(message)s").format(record)


def test_the_console_handler_uses_the_filter():
    from django.conf import settings

    assert "no_database_error_detail" in settings.LOGGING["handlers"]["console"]["filters"]
