"""Insurance card photos: only real JPEG/PNG/HEIC photos get in, re-encoded
without metadata; forged, oversized and bomb files get a message, never a
500, and leave no file or row behind."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from admissions.intake import card_photos as images
from admissions.intake import store as intake
from admissions.models import InsuranceVerification, Lead

from .intake_support import (
    INSURANCE_URL,
    cache_table_fixture,  # noqa: F401
    files_in,
    image_bytes,
    insurance_data,
    jpeg_bytes,
    png_header_only,
    private_media_fixture,  # noqa: F401
)

GPS_TAG = 0x8825
ORIENTATION_TAG = 0x0112

HTML_AS_JPG = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nnewpath 0 0 moveto 10 10 lineto stroke\n%%EOF\n"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def upload(content: bytes, name="card.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def exif_with_gps_and_rotation() -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "CanaryCameraMaker"
    exif[GPS_TAG] = {1: "N", 2: (33.0, 36.0, 0.0), 3: "W", 4: (117.0, 52.0, 0.0)}
    return exif


def reopen(clean) -> Image.Image:
    return Image.open(io.BytesIO(clean.read()))


def test_jpeg_is_reencoded_without_exif_and_upright():
    raw = jpeg_bytes((600, 300), exif=exif_with_gps_and_rotation())
    assert b"CanaryCameraMaker" in raw
    clean = images.card_photo_clean(upload(raw))
    data = clean.read()
    assert b"CanaryCameraMaker" not in data and b"Exif" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.size == (300, 600)  # orientation applied before EXIF was dropped
    assert not image.getexif()
    assert clean.name == "card.jpg"


def test_png_with_transparency_becomes_a_white_backed_jpeg():
    raw = image_bytes("PNG", (200, 100), mode="RGBA")
    image = reopen(images.card_photo_clean(upload(raw, "card.png", "image/png")))
    assert image.format == "JPEG" and image.mode == "RGB"
    assert image.getpixel((10, 10)) == (255, 255, 255)


def test_heic_from_an_iphone_is_accepted():
    raw = image_bytes("HEIF", (320, 240))
    image = reopen(images.card_photo_clean(upload(raw, "IMG_0001.HEIC", "image/heic")))
    assert image.format == "JPEG" and image.size == (320, 240)


def test_large_photos_are_scaled_down_to_a_readable_size():
    raw = jpeg_bytes((4032, 3024))
    image = reopen(images.card_photo_clean(upload(raw)))
    assert max(image.size) == images.STORED_LONG_SIDE


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (HTML_AS_JPG, "card.jpg"),
        (SVG, "card.svg"),
        (SVG, "card.jpg"),
        (EPS, "card.eps"),
        (PDF, "card.pdf"),
        (b"", "empty.jpg"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "truncated.jpg"),
    ],
)
def test_forged_and_unsupported_files_are_refused(content, name):
    with pytest.raises(ValidationError) as caught:
        images.card_photo_clean(upload(content, name))
    assert caught.value.code in ("not_a_photo", "damaged")


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "BMP", "TIFF"])
def test_real_images_in_other_formats_are_refused(fmt):
    with pytest.raises(ValidationError) as caught:
        images.card_photo_clean(upload(image_bytes(fmt), f"card.{fmt.lower()}"))
    assert caught.value.code == "not_a_photo"


def test_decompression_bomb_is_refused_before_decoding():
    bomb = png_header_only(20_000, 20_000)  # 400 megapixels in about 100 bytes
    assert len(bomb) < 200
    with pytest.raises(ValidationError) as caught:
        images.card_photo_clean(upload(bomb, "card.png", "image/png"))
    assert caught.value.code == "too_many_pixels"
    assert "too large to process" in caught.value.messages[0]


def test_our_pixel_cap_is_below_pillows_own_limit():
    just_over = png_header_only(8000, 6500)  # 52 MP: under Pillow's guard, over ours
    with pytest.raises(ValidationError) as caught:
        images.card_photo_clean(upload(just_over, "card.png", "image/png"))
    assert caught.value.code == "too_many_pixels"
    assert "8000 × 6500" in caught.value.messages[0]


def test_files_over_ten_megabytes_are_refused_without_opening_them():
    oversized = upload(b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError) as caught:
        images.card_photo_clean(oversized)
    assert caught.value.code == "too_large"
    assert "10.0 MB" in caught.value.messages[0]


# --- Through the form and into encrypted storage ---------------------------------


def post_insurance(client, **files):
    data = insurance_data()
    data.update(files)
    return client.post(INSURANCE_URL, data, REMOTE_ADDR="198.51.100.9")


@pytest.mark.django_db
@pytest.mark.usefixtures("cache_table", "demo_content")
def test_card_photos_are_stored_encrypted_with_random_names(client, private_media):
    front = upload(jpeg_bytes(exif=exif_with_gps_and_rotation()), "Daniel Kim insurance.jpg")
    back = upload(image_bytes("HEIF"), "IMG_4411.HEIC", "image/heic")
    response = post_insurance(client, card_front=front, card_back=back)
    assert response.status_code == 303

    request = InsuranceVerification.objects.get()
    stored = files_in(private_media)  # rows in the database (admissions.models.card_photos)
    assert sorted(photo.name for photo in stored) == sorted([request.card_front.name, request.card_back.name])
    for photo in stored:
        assert re.fullmatch(r"cards/[0-9a-f]{32}\.jpg", photo.name)  # random: nothing of the person or file
        raw = bytes(photo.sealed)
        assert raw.startswith(b"phi1.test1.")  # sealed, not a JPEG at rest
        assert b"\xff\xd8\xff" not in raw and b"CanaryCameraMaker" not in raw
        assert photo.size < len(raw) < 2 * 1024 * 1024
    with request.card_front.open() as handle:
        image = Image.open(io.BytesIO(handle.read()))
    assert image.format == "JPEG" and not image.getexif()
    with pytest.raises(ValueError):
        request.card_front.url  # noqa: B018 - no public URL, ever


@pytest.mark.django_db
@pytest.mark.usefixtures("cache_table", "demo_content")
@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (HTML_AS_JPG, "card.jpg", "This file is not a photo we can read."),
        (SVG, "card.svg", "This file is not a photo we can read."),
        (EPS, "card.eps", "This file is not a photo we can read."),
        (PDF, "card.pdf", "This file is not a photo we can read."),
        (png_header_only(20_000, 20_000), "bomb.png", "This image is too large to process."),
    ],
)
def test_bad_files_through_the_form_give_a_message_and_store_nothing(
    client, private_media, content, name, message
):
    good_back = upload(jpeg_bytes(), "back.jpg")
    response = post_insurance(client, card_front=upload(content, name), card_back=good_back)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'id="id_card_front_error"' in html
    assert 'value="W123456789"' in html  # other answers kept
    assert "please choose them again" in html  # files are never kept on an error page
    assert InsuranceVerification.objects.count() == 0 and Lead.objects.count() == 0
    assert files_in(private_media) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("cache_table", "demo_content")
def test_oversized_upload_through_the_form(client, private_media):
    big = upload(b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024 + 10), "big.jpg")
    response = post_insurance(client, card_front=big)
    assert response.status_code == 400
    assert "each photo must be 10 MB or smaller" in response.content.decode()
    assert files_in(private_media) == [] and InsuranceVerification.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_content")
def test_files_written_are_deleted_when_the_transaction_fails(private_media, monkeypatch):
    """The card files are written during the insert; if anything after that
    fails, the rows roll back and the files must go too."""
    from admissions.intake.store import RequestContext
    from admissions.models import ConsentText, InsuranceCarrier, LeadEvent

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(LeadEvent.objects, "create", fail)
    clean = images.card_photo_clean(upload(jpeg_bytes()))
    clean_back = images.card_photo_clean(upload(jpeg_bytes()))
    import uuid

    with pytest.raises(RuntimeError):
        intake.insurance_verification_create(
            context=RequestContext(form_token=uuid.uuid4()),
            first_name="A",
            last_name="B",
            phone="+17145550100",
            date_of_birth=__import__("datetime").date(1980, 1, 1),
            state="CA",
            carrier=InsuranceCarrier.objects.first(),
            member_id="M1",
            policy_holder="patient",
            card_front=clean,
            card_back=clean_back,
            benefits_authorization=ConsentText.objects.get(kind="benefits", language="en"),
        )
    assert files_in(private_media) == []
    assert InsuranceVerification.objects.count() == 0 and Lead.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_content")
def test_a_lost_race_on_the_same_token_leaves_no_extra_files(private_media):
    import datetime
    import uuid

    from admissions.intake.store import RequestContext
    from admissions.models import ConsentText, InsuranceCarrier

    context = RequestContext(form_token=uuid.uuid4())
    kwargs = {
        "first_name": "A",
        "last_name": "B",
        "phone": "+17145550100",
        "date_of_birth": datetime.date(1980, 1, 1),
        "state": "CA",
        "carrier": InsuranceCarrier.objects.first(),
        "member_id": "M1",
        "policy_holder": "patient",
        "benefits_authorization": ConsentText.objects.get(kind="benefits", language="en"),
    }
    first, created = intake.insurance_verification_create(
        context=context, card_front=images.card_photo_clean(upload(jpeg_bytes())), **kwargs
    )
    assert created and len(files_in(private_media)) == 1
    # The second post passed the "already stored?" check before the first committed.
    original = InsuranceVerification.objects.filter

    calls = {"n": 0}

    def stale_first_lookup(*args, **kw):
        calls["n"] += 1
        return InsuranceVerification.objects.none() if calls["n"] == 1 else original(*args, **kw)

    import unittest.mock

    with unittest.mock.patch.object(InsuranceVerification.objects, "filter", stale_first_lookup):
        again, created_again = intake.insurance_verification_create(
            context=context, card_front=images.card_photo_clean(upload(jpeg_bytes())), **kwargs
        )
    assert not created_again and again.pk == first.pk
    assert len(files_in(private_media)) == 1


@pytest.mark.django_db
def test_the_largest_stored_photo_fits_a_row_and_anything_bigger_is_refused():
    """The intake keeps at most 2400 px on the long side: pure noise (the
    worst case for JPEG) at 2400 × 2400 is about 4 MB, well under the
    storage's cap and PostgreSQL's 1 GB per value."""
    import os

    from django.core.files.base import ContentFile

    from admissions.models import CardPhoto
    from admissions.models.card_photos import MAX_STORED_BYTES, card_photo_store

    side = images.STORED_LONG_SIDE
    noise = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    noise.save(out, format="JPEG", quality=95)
    clean = images.card_photo_clean(upload(out.getvalue(), "noise.jpg"))
    data = clean.read()
    assert 2 * 1024 * 1024 < len(data) < MAX_STORED_BYTES / 1.5
    name = card_photo_store.save("cards/noise.jpg", ContentFile(data))
    row = CardPhoto.objects.get(name=name)
    assert row.size == len(data) and len(row.sealed) < len(data) * 1.4
    with card_photo_store.open(name) as handle:
        assert handle.read() == data
    with pytest.raises(ValueError, match="larger than the intake ever stores"):
        card_photo_store.save("cards/huge.jpg", ContentFile(b"\0" * (MAX_STORED_BYTES + 1)))
    with pytest.raises(ValueError, match="no public URL"):
        card_photo_store.url(name)
