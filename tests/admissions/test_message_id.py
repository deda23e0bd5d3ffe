"""Delivery is at least once: a staff alert or auto-reply sent while the
database fails before its "sent" timestamp commits goes out again on the next
run, as the same message (the same Message-ID), never as a second one."""

import pytest
from django.core import mail
from django.db import DatabaseError

from admissions.intake import notifications
from admissions.models import ConsultationRequest

from .intake_support import CONSULTATION_URL, cache_table_fixture, consultation_data  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_table", "demo_content")]


@pytest.fixture
def stored(client, settings):
    settings.ADMISSIONS_ALERT_EMAIL = "admissions@example.test"
    settings.SITE_URL = "https://www.example.test"
    client.post(CONSULTATION_URL, consultation_data(), REMOTE_ADDR="198.51.100.21")
    mail.outbox.clear()
    return ConsultationRequest.objects.get()


def test_each_message_has_a_stable_id_made_of_ids_only(stored):
    notifications.staff_alert_send.call("consultation", stored.pk)
    notifications.auto_reply_send.call("consultation", stored.pk)
    alert, reply = mail.outbox
    assert alert.extra_headers["Message-ID"] == f"<staff-alert.consultation.{stored.pk}@www.example.test>"
    assert reply.extra_headers["Message-ID"] == f"<auto-reply.consultation.{stored.pk}@www.example.test>"
    for message in (alert, reply):
        assert "maria" not in message.extra_headers["Message-ID"].lower()
        assert message.message()["Message-ID"] == message.extra_headers["Message-ID"]


def test_a_crash_before_the_sent_mark_resends_the_same_message(stored, monkeypatch):
    real_save = ConsultationRequest.save

    def database_gone(self, *args, **kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(ConsultationRequest, "save", database_gone)
    with pytest.raises(DatabaseError):
        notifications.staff_alert_send.call("consultation", stored.pk)
    monkeypatch.setattr(ConsultationRequest, "save", real_save)
    assert notifications.staff_alert_send.call("consultation", stored.pk) == "sent"
    assert notifications.staff_alert_send.call("consultation", stored.pk) == "already sent"

    first, again = mail.outbox
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]
