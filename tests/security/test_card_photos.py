"""Issue 15 #6 and #13: card photos cost a bounded amount of memory to
decode, are decoded only when the rest of the form is valid, every form post
counts per address, and nothing but pixels survives the re-encoding."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from admissions.intake import card_photos
from tests.admissions.intake_support import (
    INSURANCE_URL,
    cache_table_fixture,  # noqa: F401
    insurance_data,
    jpeg_bytes,
    png_header_only,
    private_media_fixture,  # noqa: F401
)

FIXTURES = Path(__file__).parent / "fixtures"
# A 24 MP HEIC as iPhones since the 15 save by default: the largest allowed.
WORST_HEIC = FIXTURES / "worst_allowed_5712x4284.heic"
PEAK_MEMORY_LIMIT_MB = 200


def upload(content: bytes, name="card.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def encoded(fmt, size, mode="RGB", **options) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "teal" if mode == "RGB" else (0, 128, 128, 128)).save(out, format=fmt, **options)
    return out.getvalue()


# --- #13: only pixels survive ---------------------------------------------------


def jpeg_segments(data: bytes) -> list[int]:
    """The marker of every segment before the image data (SOS)."""
    markers, at = [], 2
    while at < len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: image data follows
            break
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        at += 2 + length
    return markers


def test_comments_and_every_metadata_segment_are_dropped():
    exif = Image.Exif()
    exif[0x010F] = "CanaryCameraMaker"
    out = io.BytesIO()
    Image.new("RGB", (400, 250), "navy").save(
        out,
        format="JPEG",
        comment=b"<script>alert('polyglot')</script>",
        exif=exif,
        icc_profile=b"CanaryICCProfile" * 8,
        xmp=b"<x:xmpmeta>CanaryXMP</x:xmpmeta>",
        dpi=(300, 300),
    )
    raw = out.getvalue()
    assert b"<script>" in raw and b"CanaryICCProfile" in raw and b"CanaryXMP" in raw
    data = card_photos.card_photo_clean(upload(raw)).read()
    for canary in (b"<script>", b"polyglot", b"CanaryCameraMaker", b"CanaryICCProfile", b"CanaryXMP"):
        assert canary not in data, canary
    markers = jpeg_segments(data)
    assert 0xFE not in markers  # COM
    assert not [m for m in markers if 0xE1 <= m <= 0xEF]  # APP1..APP15: EXIF, XMP, ICC, ...
    image = Image.open(io.BytesIO(data))
    assert "comment" not in image.info and "icc_profile" not in image.info and "xmp" not in image.info


def test_a_png_text_chunk_does_not_survive_either():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "teal").save(out, format="PNG", pnginfo=info)
    data = card_photos.card_photo_clean(upload(out.getvalue(), "card.png", "image/png")).read()
    assert b"script" not in data


# --- #6: pixel caps from the header, per format --------------------------------------


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (png_header_only(4500, 3000), "card.png"),  # 13.5 MP PNG: decoded in full, over its cap
        (png_header_only(7000, 7000), "card.png"),  # the 190 KB / 550 MB image of the report
        (encoded("JPEG", (4500, 3000), progressive=True), "card.jpg"),  # progressive: full decode
        (encoded("JPEG", (6200, 4300)), "card.jpg"),  # 26.7 MP
    ],
)
def test_images_larger_than_a_card_photo_needs_are_refused_before_decoding(content, name):
    with pytest.raises(ValidationError) as caught:
        card_photos.card_photo_clean(upload(content, name))
    assert caught.value.code == "too_many_pixels"


def test_the_largest_allowed_photos_are_accepted():
    for raw, name in [
        (WORST_HEIC.read_bytes(), "IMG_0001.HEIC"),
        (encoded("JPEG", (4032, 3024), progressive=True), "card.jpg"),
    ]:
        image = Image.open(io.BytesIO(card_photos.card_photo_clean(upload(raw, name)).read()))
        assert image.format == "JPEG" and max(image.size) == card_photos.STORED_LONG_SIDE


MEASURE = """
import json, re, sys
from django.conf import settings
settings.configure()
from PIL import Image
from admissions.intake import card_photos
from django.core.files.uploadedfile import SimpleUploadedFile

def peak_kb():
    # VmHWM: this process's own high-water mark (ru_maxrss carries the parent's over exec).
    return int(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))

name, data = sys.argv[1], open(sys.argv[2], "rb").read()
upload = SimpleUploadedFile(name, data)
before = peak_kb()
card_photos.card_photo_clean(upload)
after = peak_kb()
print(json.dumps({"peak_mb": (after - before) / 1024, "pixels": Image.open(upload).size}))
"""


def test_peak_memory_of_decoding_the_worst_allowed_images(tmp_path):
    """Each image decoded in a fresh process; the growth of its peak resident
    memory is what one decode costs a worker (one at a time per process)."""
    cap = card_photos.MAX_PIXELS_FULL_DECODE
    width = 4096
    worst = {
        "heic-24mp.heic": WORST_HEIC.read_bytes(),
        "png-rgba-at-cap.png": encoded("PNG", (width, cap // width), mode="RGBA", compress_level=1),
        "jpeg-progressive-at-cap.jpg": encoded(
            "JPEG", (width, cap // width), progressive=True, subsampling=0
        ),
        "jpeg-baseline-at-cap.jpg": encoded("JPEG", (6000, card_photos.MAX_PIXELS // 6000)),
    }
    root = Path(__file__).resolve().parents[2]
    for name, data in worst.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", MEASURE, name, str(path)],
            capture_output=True,
            text=True,
            cwd=root,
            check=True,
            timeout=120,
        )
        figures = json.loads(result.stdout)
        print(
            f"peak memory decoding {name} ({len(data)} bytes, {figures['pixels']}): {figures['peak_mb']:.0f} MB"
        )
        assert figures["peak_mb"] < PEAK_MEMORY_LIMIT_MB, (name, figures)


def test_one_decode_at_a_time_per_process():
    assert isinstance(card_photos.DECODE_SLOTS, type(__import__("threading").BoundedSemaphore(1)))
    assert card_photos.DECODE_SLOTS._initial_value == 1


# --- #6: photos decoded last, every post counted ----------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("cache_table", "demo_content")
def test_photos_are_decoded_only_when_every_other_answer_is_valid(client, private_media, monkeypatch):
    decoded = []
    real = card_photos.card_photo_clean
    monkeypatch.setattr(card_photos, "card_photo_clean", lambda f: decoded.append(f.name) or real(f))

    bad = insurance_data(member_id="")
    bad["card_front"] = upload(jpeg_bytes(), "front.jpg")
    response = client.post(INSURANCE_URL, bad, REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 400 and "choose them again" in response.content.decode()
    assert decoded == []

    good = insurance_data()
    good["card_front"] = upload(jpeg_bytes(), "front.jpg")
    assert client.post(INSURANCE_URL, good, REMOTE_ADDR="198.51.100.20").status_code == 303
    assert decoded == ["front.jpg"]


@pytest.mark.django_db
@pytest.mark.usefixtures("cache_table", "demo_content")
def test_invalid_posts_count_per_address(client, settings):
    settings.ADMISSIONS_POST_LIMIT = 3
    for _ in range(3):
        assert client.post(INSURANCE_URL, {"first_name": "x"}, REMOTE_ADDR="198.51.100.30").status_code == 400
    refused = client.post(INSURANCE_URL, {"first_name": "x"}, REMOTE_ADDR="198.51.100.30")
    assert refused.status_code == 429
    assert "Please wait a few minutes" in refused.content.decode()
    assert refused["Retry-After"] == str(settings.ADMISSIONS_RATE_WINDOW_SECONDS)
    # Another address is not affected.
    assert client.post(INSURANCE_URL, {"first_name": "x"}, REMOTE_ADDR="198.51.100.31").status_code == 400
