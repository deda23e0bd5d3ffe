import uuid

import pytest
from django.db import connection

from admissions.contact import normalize_phone
from admissions.intake.store import RequestContext, consultation_request_create
from admissions.models import ConsentText, ConsultationRequest, Lead


@pytest.mark.django_db
def test_consultation_is_stored_encrypted_and_deduplicated():
    consent = ConsentText.objects.get(kind="contact", language="en", version=1)
    context = RequestContext(
        form_token=uuid.uuid4(), client_ip="203.0.113.9", page_url="/admissions/consultation/"
    )
    first, created = consultation_request_create(
        context=context,
        first_name="Ana",
        last_name="Canary",
        phone=normalize_phone("(714) 555-0199"),
        best_time_to_call="any",
        who_needs_help="self",
        message="CANARY-MESSAGE-7731",
        contact_consent=consent,
    )
    assert created
    again, created_again = consultation_request_create(
        context=context,
        first_name="Ana",
        last_name="Canary",
        phone="+17145550199",
        best_time_to_call="any",
        who_needs_help="self",
        contact_consent=consent,
    )
    assert not created_again and again.pk == first.pk

    second, _ = consultation_request_create(
        context=RequestContext(form_token=uuid.uuid4()),
        first_name="Ana",
        last_name="Canary",
        phone="+17145550199",
        best_time_to_call="any",
        who_needs_help="self",
        contact_consent=consent,
    )
    assert second.lead_id == first.lead_id
    assert Lead.objects.count() == 1
    assert ConsultationRequest.objects.get(pk=first.pk).message == "CANARY-MESSAGE-7731"

    with connection.cursor() as cursor:
        cursor.execute("SELECT message, phone FROM admissions_consultationrequest WHERE id = %s", [first.pk])
        message, phone = cursor.fetchone()
    assert "CANARY" not in message and message.startswith("phi1.test1.")
    assert "5550199" not in phone
