"""Shared pieces for the public intake tests: valid answers, tokens old enough
to pass the fill-time check, image files, and the stored card photos (sealed
rows in the database since issue 14).

Fixtures are defined under *_fixture names with a pytest name: import the
function (e.g. `private_media_fixture`) into a test module and ask for the
fixture (`private_media`) as usual.
"""

import io
import struct
import time
import zlib
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from admissions.intake import spam
from admissions.intake.forms import ConsultationForm, InsuranceVerificationForm, current_consent
from admissions.models import CardPhoto, InsuranceCarrier

CONSULTATION_URL = "/admissions/consultation/"
INSURANCE_URL = "/admissions/verify-insurance/"
CONSULTATION_THANKS = "/admissions/thank-you/consultation/"
INSURANCE_THANKS = "/admissions/thank-you/insurance/"


def token_for(form_class, *, age: float = 30.0) -> str:
    """A signed form token as the GET would issue it, `age` seconds ago."""
    consents = [current_consent(kind).pk for kind in form_class.consent_kinds.values()]
    token = spam.form_token_issue(consent_ids=consents)
    return spam.FormToken(id=token.id, issued_at=time.time() - age, consent_ids=token.consent_ids).sign()


def consultation_data(**overrides) -> dict:
    data = {
        "form_token": token_for(ConsultationForm),
        "first_name": "Maria",
        "last_name": "Lopez",
        "phone": "(714) 555-0123",
        "email": "maria@example.com",
        "best_time_to_call": "morning",
        "who_needs_help": "loved_one",
        "caller_relation": "Mother",
        "level_of_care": "",
        "message": "My son needs help.",
        "heard_about": "search",
        "contact_consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def insurance_data(**overrides) -> dict:
    data = {
        "form_token": token_for(InsuranceVerificationForm),
        "first_name": "Daniel",
        "last_name": "Kim",
        "date_of_birth": "04/27/1985",
        "phone": "714-555-0188",
        "email": "",
        "state": "CA",
        "carrier": str(InsuranceCarrier.objects.get(name="Aetna").pk),
        "carrier_other": "",
        "member_id": "W123456789",
        "group_number": "GRP-001",
        "policy_holder": "patient",
        "benefits_authorization": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def jpeg_bytes(size=(640, 400), *, color="navy", exif=None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    if exif is not None:
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def image_bytes(fmt: str, size=(320, 200), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "teal" if mode == "RGB" else None).save(out, format=fmt)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height with a tiny body: what a decompression
    bomb looks like before decoding (cheap to make, huge to decode)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="session", name="cache_table")
def cache_table_fixture(django_db_setup, django_db_blocker):
    """The database cache table (rate limits) in the test database."""
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(name="private_media")
def private_media_fixture() -> "StoredCardPhotos":
    """The card photos the test stored. They are sealed rows in the database
    (admissions.models.card_photos), the same store as in production, so
    nothing is swapped: `files_in(private_media)` lists the rows."""
    return StoredCardPhotos()


class StoredCardPhotos:
    def rows(self) -> list[CardPhoto]:
        return list(CardPhoto.objects.order_by("stored_at", "name"))


def files_in(where) -> list:
    """The stored card photos (CardPhoto rows) for `private_media`, or the
    files under a directory."""
    if isinstance(where, StoredCardPhotos):
        return where.rows()
    return sorted(path for path in Path(where).rglob("*") if path.is_file())
