"""The key ring: values carry their key id, a new key seals while old ones
still open, `reencrypt_phi` moves everything to the newest key (columns and
card photos, idempotent), and a missing or wrong key is an error, never ciphertext."""

import datetime
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from admissions.intake import card_photos as images
from admissions.intake.store import (
    RequestContext,
    consultation_request_create,
    insurance_verification_create,
)
from admissions.models import ConsentText, ConsultationRequest, InsuranceCarrier, InsuranceVerification, Lead
from admissions.phi import crypto

from .intake_support import files_in, jpeg_bytes, private_media_fixture  # noqa: F401

OLD = ("test1", "dGVzdC1vbmx5LWtleS1mb3ItdGhlLXN1aXRlLW9ubHk")
NEW = ("k2026", crypto.generate_key())
LOOKUP = "dGVzdC1vbmx5LWxvb2t1cC1rZXktZm9yLXRlc3RzISE"

pytestmark = pytest.mark.django_db


def raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def make_consultation(message="rotation canary message"):
    request, _ = consultation_request_create(
        context=RequestContext(form_token=uuid.uuid4()),
        first_name="Rosa",
        last_name="Diaz",
        phone="+17145550155",
        email="rosa@example.com",
        best_time_to_call="any",
        who_needs_help="self",
        message=message,
        contact_consent=ConsentText.objects.get(kind="contact", language="en", version=1),
    )
    return request


def make_insurance_with_card():
    from django.core.files.uploadedfile import SimpleUploadedFile

    card = images.card_photo_clean(SimpleUploadedFile("c.jpg", jpeg_bytes(), content_type="image/jpeg"))
    request, _ = insurance_verification_create(
        context=RequestContext(form_token=uuid.uuid4()),
        first_name="Rosa",
        last_name="Diaz",
        phone="+17145550155",
        date_of_birth=datetime.date(1970, 5, 17),
        state="CA",
        carrier=InsuranceCarrier.objects.first(),
        member_id="MEMBER-ROTATE-1",
        policy_holder="patient",
        card_front=card,
        benefits_authorization=ConsentText.objects.get(kind="benefits", language="en"),
    )
    return request


def test_value_format_names_its_key_and_is_bound_to_its_column():
    token = crypto.encrypt_text("secret", context="admissions.lead.phone")
    assert token.startswith("phi1.test1.") and "secret" not in token
    assert crypto.decrypt_text(token, context="admissions.lead.phone") == "secret"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(token, context="admissions.lead.email")  # copied to another column


def test_rotation_new_key_seals_old_values_still_open_and_reencrypt_moves_everything(
    settings, private_media, capsys
):
    old_request = make_consultation()
    old_insurance = make_insurance_with_card()
    assert raw("admissions_consultationrequest", "message", old_request.pk).startswith("phi1.test1.")

    settings.PHI_ENCRYPTION_KEYS = [NEW, OLD]
    # Old values still open under the ring; new ones are sealed with the new key.
    assert ConsultationRequest.objects.get(pk=old_request.pk).message == "rotation canary message"
    new_request = make_consultation("after rotation")
    assert raw("admissions_consultationrequest", "message", new_request.pk).startswith("phi1.k2026.")

    call_command("reencrypt_phi", "--dry-run")
    assert raw("admissions_consultationrequest", "message", old_request.pk).startswith("phi1.test1.")

    call_command("reencrypt_phi", "--batch-size", "1")
    out = capsys.readouterr().out
    # first and last name (issue 15 #1), phone, email, message
    assert "admissions.ConsultationRequest: 5 of 10 values re-encrypted" in out
    assert "admissions.CardPhoto: 1 of 1 card photos re-encrypted" in out

    for table, column, pk in [
        ("admissions_consultationrequest", "message", old_request.pk),
        ("admissions_consultationrequest", "phone", old_request.pk),
        ("admissions_consultationrequest", "first_name", old_request.pk),
        ("admissions_insuranceverification", "last_name", old_insurance.pk),
        ("admissions_lead", "email", old_request.lead_id),
        ("admissions_insuranceverification", "date_of_birth", old_insurance.pk),
        ("admissions_insuranceverification", "member_id", old_insurance.pk),
    ]:
        assert raw(table, column, pk).startswith("phi1.k2026."), (table, column)
    (card_photo,) = files_in(private_media)
    assert bytes(card_photo.sealed).startswith(b"phi1.k2026.")

    # Idempotent: nothing left to do.
    call_command("reencrypt_phi")
    assert "Done: 0 of" in capsys.readouterr().out

    # The old key can now go: everything still opens.
    settings.PHI_ENCRYPTION_KEYS = [NEW]
    assert ConsultationRequest.objects.get(pk=old_request.pk).message == "rotation canary message"
    insurance = InsuranceVerification.objects.get(pk=old_insurance.pk)
    assert insurance.member_id == "MEMBER-ROTATE-1" and insurance.date_of_birth == datetime.date(1970, 5, 17)
    with insurance.card_front.open() as handle:
        assert handle.read().startswith(b"\xff\xd8\xff")
    assert Lead.objects.get(pk=old_request.lead_id).phone == "+17145550155"


def test_missing_key_raises_instead_of_showing_ciphertext(settings):
    request = make_consultation()
    settings.PHI_ENCRYPTION_KEYS = [NEW]  # the key that sealed it is gone
    with pytest.raises(crypto.DecryptionError) as caught:
        ConsultationRequest.objects.get(pk=request.pk)
    assert "phi1." not in str(caught.value) and "rotation canary" not in str(caught.value)


def test_wrong_key_under_the_same_id_raises(settings):
    request = make_consultation()
    settings.PHI_ENCRYPTION_KEYS = [("test1", crypto.generate_key())]
    with pytest.raises(crypto.DecryptionError):
        ConsultationRequest.objects.get(pk=request.pk)


def test_tampered_value_raises(settings):
    request = make_consultation()
    token = raw("admissions_consultationrequest", "message", request.pk)
    flipped = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE admissions_consultationrequest SET message = %s WHERE id = %s", [flipped, request.pk]
        )
    with pytest.raises(crypto.DecryptionError):
        ConsultationRequest.objects.get(pk=request.pk)


def test_files_open_only_with_their_key(settings, private_media):
    insurance = make_insurance_with_card()
    settings.PHI_ENCRYPTION_KEYS = [NEW]
    with pytest.raises(crypto.DecryptionError):
        InsuranceVerification.objects.only("card_front").get(pk=insurance.pk).card_front.open()


def test_lookup_hash_is_keyed_not_a_plain_hash(settings):
    import hashlib

    value = crypto.lookup_hash("phone", "+17145550155")
    assert value != hashlib.sha256(b"phone:+17145550155").hexdigest()
    settings.PHI_LOOKUP_KEY = crypto.generate_key()
    assert crypto.lookup_hash("phone", "+17145550155") != value
    settings.PHI_LOOKUP_KEY = LOOKUP
    assert crypto.lookup_hash("phone", "+17145550155") == value


def test_reencrypt_with_nothing_stored_reports_zero(capsys):
    call_command("reencrypt_phi")
    assert "Done: 0 of 0 values and 0 of 0 card photos re-encrypted." in capsys.readouterr().out


def test_key_settings_errors_are_clear(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.PHI_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="PHI_ENCRYPTION_KEYS is not set"):
        crypto.encrypt_text("x", context="c")
    settings.PHI_ENCRYPTION_KEYS = [("short", "c2hvcnQ")]
    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        crypto.encrypt_text("x", context="c")


def test_a_card_photo_is_bound_to_its_name(private_media):
    """A sealed photo copied onto another photo's row does not open."""
    from admissions.models import CardPhoto

    first, second = make_insurance_with_card(), make_insurance_with_card()
    sealed = CardPhoto.objects.get(name=first.card_front.name).sealed
    CardPhoto.objects.filter(name=second.card_front.name).update(sealed=sealed)
    with pytest.raises(crypto.DecryptionError):
        InsuranceVerification.objects.get(pk=second.pk).card_front.open()
