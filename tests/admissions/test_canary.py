"""Canary values in every field of both forms, then a search for them
everywhere they must not be: mail (except the first name in the consultation
auto-reply), logs at DEBUG, URLs, queued task arguments, the whole database
(names, relation, close reason and the admin log included: issue 15 #1),
and card files at rest. Staff then work the lead and search for it by name
and by phone digits: no term reaches a URL or a log line (issue 10)."""

import io
import logging

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from PIL import Image

from admissions.management.commands.reencrypt_phi import encrypted_columns
from admissions.models import InsuranceVerification, Lead

from .factories import coordinator, login
from .intake_support import (
    CONSULTATION_URL,
    INSURANCE_URL,
    cache_table_fixture,  # noqa: F401
    consultation_data,
    files_in,
    insurance_data,
    private_media_fixture,  # noqa: F401
)
from .test_tasks import run_queue_once

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_table", "demo_content")]

# Names and the caller's relation were plain columns until issue 15 #1; now
# they are encrypted like every other answer and must appear nowhere in clear.
NAMES = {
    "c_first": "Canaryfirstqx",
    "c_last": "Canarylastqx",
    "i_first": "Canarypatientqx",
    "i_last": "Canarysurnameqx",
    "c_relation": "Canaryrelationqx",
}
SECRETS = {
    "c_phone": ("(949) 555-0177", ["5550177", "555-0177", "9495550177"]),
    "c_email": ("canary.mail.qx@example.org", ["canary.mail.qx"]),
    "c_message": ("Canarymessageqx opioid detail", ["Canarymessageqx"]),
    "i_phone": ("(949) 555-0166", ["5550166", "555-0166", "9495550166"]),
    "i_email": ("canary.ins.qx@example.org", ["canary.ins.qx"]),
    "i_dob": ("03/17/1931", ["1931-03-17", "03/17/1931", "19310317"]),
    "i_member": ("CANMEMBERQX77", ["CANMEMBERQX77", "canmemberqx77"]),
    "i_group": ("CANGROUPQX88", ["CANGROUPQX88", "cangroupqx88"]),
    "i_other_carrier": ("Canarycarrierqx", ["Canarycarrierqx"]),
    "close_reason": ("Canaryclosereasonqx", ["Canaryclosereasonqx"]),
    "h_first": ("Canaryholderfirstqx", ["Canaryholderfirstqx"]),
    "h_last": ("Canaryholderlastqx", ["Canaryholderlastqx"]),
    "h_dob": ("1942-11-05", ["1942-11-05", "11/05/1942", "19421105"]),
    "h_relation": ("Canaryholderrelqx", ["Canaryholderrelqx"]),
}
EXIF_CANARY = "Canaryexifcameraqx"


def needles(*, with_names=True):
    found = [n for _, variants in SECRETS.values() for n in variants]
    return found + (list(NAMES.values()) if with_names else [])


def card_with_exif_canary():
    exif = Image.Exif()
    exif[0x010F] = EXIF_CANARY
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "olive").save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile("card.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def everything_logged(caplog):
    for name in [None, *logging.root.manager.loggerDict]:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_canaries_reach_nothing_they_must_not(
    client, settings, everything_logged, private_media, django_capture_on_commit_callbacks
):
    settings.ADMISSIONS_ALERT_EMAIL = "admissions@example.test"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    value = {key: v for key, (v, _) in SECRETS.items()}
    locations = []

    for url in (CONSULTATION_URL, INSURANCE_URL):
        locations.append(url)
        assert client.get(url).status_code == 200

    consultation = consultation_data(
        first_name=NAMES["c_first"],
        last_name=NAMES["c_last"],
        phone=value["c_phone"],
        email=value["c_email"],
        who_needs_help="loved_one",
        caller_relation=NAMES["c_relation"],
        message=value["c_message"],
        automated_contact_consent="on",
    )
    insurance = insurance_data(
        first_name=NAMES["i_first"],
        last_name=NAMES["i_last"],
        date_of_birth=value["i_dob"],
        phone=value["i_phone"],
        email=value["i_email"],
        carrier="other",
        carrier_other=value["i_other_carrier"],
        member_id=value["i_member"],
        group_number=value["i_group"],
        policy_holder="someone_else",
        holder_first_name=value["h_first"],
        holder_last_name=value["h_last"],
        holder_date_of_birth=value["h_dob"],
        holder_relationship=value["h_relation"],
        card_front=card_with_exif_canary(),
    )

    # An error first (bad phone), then the fix: error pages must not leak either.
    bad = client.post(CONSULTATION_URL, {**consultation, "phone": "12"}, REMOTE_ADDR="203.0.113.50")
    assert bad.status_code == 400
    responses = []
    with django_capture_on_commit_callbacks(execute=True):  # as if each request committed
        responses.append(client.post(CONSULTATION_URL, consultation, REMOTE_ADDR="203.0.113.50"))
        responses.append(client.post(INSURANCE_URL, insurance, REMOTE_ADDR="203.0.113.50"))
        responses.append(client.post(INSURANCE_URL, insurance, REMOTE_ADDR="203.0.113.50"))  # double submit
    for response in responses:
        assert response.status_code == 303
        locations.append(response["Location"])
        locations.append(client.get(response["Location"]).request["PATH_INFO"])

    # Task arguments, as stored by the queue.
    queued = [str(row.args_kwargs) for row in DBTaskResult.objects.all()]
    assert len(queued) == 4
    run_queue_once()
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 4
    queued += [str(row.return_value) + str(row.traceback) for row in DBTaskResult.objects.all()]

    # Mail: four messages; only the auto-replies may say a first name.
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        text = message.subject + "\n" + message.body + "\n" + " ".join(message.to)
        allowed = set()
        if message.to == [value["c_email"]]:
            assert message.body.startswith(f"Hi {NAMES['c_first']},")
            allowed = {NAMES["c_first"], *SECRETS["c_email"][1]}
        elif message.to == [value["i_email"]]:
            # The insurance form names the patient; the email is the sender's own.
            assert message.body.startswith("Hello,")
            allowed = {*SECRETS["i_email"][1]}
        else:
            assert message.to == ["admissions@example.test"]
        leaked = [n for n in needles() if n in text and n not in allowed]
        assert not leaked, (message.subject, leaked)
        body_only = message.subject + message.body
        assert not [n for n in SECRETS["c_email"][1] + SECRETS["i_email"][1] if n in body_only]

    # Staff work the lead: close it with a reason (the admin log records the
    # change), then search for it by name, unaccented, and by phone digits.
    staff = login(Client(), coordinator("canarycoord"))
    lead = Lead.objects.order_by("pk").first()
    response = staff.post(
        reverse("admin:admissions_lead_change", args=[lead.pk]),
        {"action": "status", "status-to_status": "declined", "status-reason": value["close_reason"]},
    )
    assert response.status_code == 302
    assert LogEntry.objects.filter(object_id=str(lead.pk)).get().object_repr == f"Lead {lead.pk}"
    assert str(lead) == f"Lead {lead.pk}"
    for term in (NAMES["c_last"].lower(), "5550177", NAMES["c_first"].upper()):
        response = staff.post(reverse("admin:admissions_lead_search"), {"q": term})
        locations.append(response["Location"])
        page = staff.get(response["Location"])
        assert page.status_code == 200
        assert [row.pk for row in page.context["cl"].result_list] == [lead.pk], term
        locations.append(page.request["PATH_INFO"] + "?" + page.request["QUERY_STRING"])

    # Logs, URLs, task arguments.
    log_text = "\n".join(
        record.getMessage() + (str(record.exc_info) if record.exc_info else "")
        for record in everything_logged.records
    )
    assert everything_logged.records, "logging was captured"
    for where, text in [("logs", log_text), ("urls", "\n".join(locations)), ("tasks", "\n".join(queued))]:
        leaked = [n for n in needles() if n in text]
        assert not leaked, (where, leaked)

    # The whole database as text, except the by-design plaintext name columns.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        dump = []
        for table in tables:
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 - names from the catalog
            dump += [f"{table}: {row[0]}" for row in cursor.fetchall()]
    text = "\n".join(dump)
    # The dump really holds the submitted rows, the search index and the log.
    for table in ("admissions_insuranceverification", "admissions_leadsearchtoken", "django_admin_log"):
        assert f"{table}: " in text, table
    # The sender's address (client_ip, encrypted since issue 15 #1) is in no
    # table at all: not the requests, not the cache the post counters use.
    assert not [line for line in dump if "203.0.113.50" in line]
    leaked = [n for n in needles() if n.lower() in text.lower()]
    assert not leaked, (
        leaked,
        [line[:200] for line in dump if any(n.lower() in line.lower() for n in leaked)],
    )
    # Encrypted columns hold tokens only.
    with connection.cursor() as cursor:
        for model, fields in encrypted_columns():
            for field in fields:
                cursor.execute(
                    f'SELECT "{field.column}" FROM "{model._meta.db_table}" '  # noqa: S608
                    f"WHERE \"{field.column}\" <> ''"
                )
                for (stored,) in cursor.fetchall():
                    assert stored.startswith("phi1.test1."), (model, field.name)

    # Card file at rest: sealed, no JPEG, no EXIF canary; decrypted copy has no EXIF either.
    (card,) = files_in(private_media)
    at_rest = bytes(card.sealed)
    assert at_rest.startswith(b"phi1.") and EXIF_CANARY.encode() not in at_rest and b"\xff\xd8" not in at_rest
    with InsuranceVerification.objects.get().card_front.open() as handle:
        assert EXIF_CANARY.encode() not in handle.read()
