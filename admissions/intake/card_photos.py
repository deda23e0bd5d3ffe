"""Insurance card photos: accept JPEG, PNG and HEIC (iPhones), refuse
everything else whatever its name says, and keep only a re-encoded JPEG with
no metadata at all (no EXIF, location, device, comment, ICC profile or XMP)
at a size a coordinator can read.

Decoding costs far more memory than the upload (a 190 KB PNG can claim 49
megapixels), so (issue 15 #6):
- the size in pixels is read from the file's header and checked against a cap
  per format before anything is decoded: what a card photo needs, which is far
  less than a decompression bomb claims;
- JPEGs decode at a reduced scale (``draft``) and everything is scaled down
  before it is turned upright or flattened, so no full-size copy is made;
- one decode at a time per process (``DECODE_SLOTS``), so a gunicorn worker's
  memory is bounded by one worst allowed image, whatever its threads do;
- the intake form decodes photos only once every other answer is valid
  (admissions/intake/forms.py), and sheer_site.middleware counts every form
  post, invalid ones included, per address.
"""

import io
import threading
import warnings

import pillow_heif
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Pixels a format may claim. A phone photo is 12 MP (iPhones since the 15
# save 24 MP HEIC); a card needs about 2 MP to read a member ID. Baseline JPEG
# decodes at half scale or less; PNG, HEIC and progressive JPEG (which buffers
# every coefficient at full size) decode in full, so their caps are lower.
MAX_PIXELS = 25_000_000
MAX_PIXELS_FULL_DECODE = 12_600_000  # PNG, progressive JPEG: a 12 MP photo, no more
MAX_PIXELS_BY_FORMAT = {"JPEG": MAX_PIXELS, "HEIF": MAX_PIXELS, "PNG": MAX_PIXELS_FULL_DECODE}
# (Pillow's own guard, Image.MAX_IMAGE_PIXELS, stays as it is for the rest of
# the site; ours is stricter and is checked before anything is decoded.)
ACCEPTED_FORMATS = ("JPEG", "PNG", "HEIF")
# Long side of the stored copy: sharp enough to read a member ID.
STORED_LONG_SIDE = 2400
JPEG_QUALITY = 85
# One decode at a time in a process: its threads queue here (each decode takes
# well under a second for an allowed image), so memory per worker stays bounded.
DECODE_SLOTS = threading.BoundedSemaphore(1)

NOT_A_PHOTO = _("This file is not a photo we can read. Choose a JPEG, PNG or HEIC photo of the card.")
TOO_LARGE = _("This photo is {size} MB; each photo must be 10 MB or smaller.")
TOO_MANY_PIXELS = _(
    "This image is too large to process ({width} × {height} pixels). Take a normal photo of the card instead."
)
DAMAGED = _("This photo could not be read; the file may be damaged. Try taking the photo again.")


def pixel_cap(image: Image.Image) -> int:
    if image.format == "JPEG" and (image.info.get("progressive") or image.info.get("progression")):
        return MAX_PIXELS_FULL_DECODE
    return MAX_PIXELS_BY_FORMAT.get(image.format, MAX_PIXELS_FULL_DECODE)


def _open_checked(upload) -> Image.Image:
    """The image, opened but not decoded, after the checks its header allows."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(TOO_LARGE.format(size=f"{upload.size / 1024 / 1024:.1f}"), code="too_large")
    upload.seek(0)
    image = Image.open(upload, formats=ACCEPTED_FORMATS)
    width, height = image.size
    if width * height > pixel_cap(image):
        raise ValidationError(TOO_MANY_PIXELS.format(width=width, height=height), code="too_many_pixels")
    return image


def card_photo_check(upload) -> None:
    """The cheap checks only (size, type, pixels from the header): no decoding."""
    with _errors_for_people():
        _open_checked(upload).close()
    upload.seek(0)


def card_photo_clean(upload) -> ContentFile:
    """Validate an uploaded card photo and return a clean JPEG (metadata
    removed, orientation applied). Raises ValidationError with a message for
    the person."""
    with DECODE_SLOTS, _errors_for_people():
        image = _open_checked(upload)
        if image.format == "JPEG":
            # Decode big JPEGs at a reduced scale: less memory, same result.
            scale = STORED_LONG_SIDE / max(image.size)
            image.draft("RGB", (round(image.width * scale), round(image.height * scale)))
        image.load()
        orientation = image.getexif().get(ImageOps.ExifTags.Base.Orientation)
        # Scale down first: turning and flattening then work on the small copy.
        image.thumbnail((STORED_LONG_SIDE, STORED_LONG_SIDE), reducing_gap=2.0)
        if orientation:
            image = ImageOps.exif_transpose(image)
        if image.mode != "RGB":
            image = _flatten(image)
        return ContentFile(_jpeg_without_metadata(image), name="card.jpg")


def _jpeg_without_metadata(image: Image.Image) -> bytes:
    """Only pixels go out: no EXIF, comment (COM), ICC profile, XMP or any
    other APPn segment from the upload (Pillow copies a comment, an ICC
    profile and XMP from `info` unless told otherwise)."""
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    clean.info = {}
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


class _errors_for_people:
    """Pillow's exceptions as ValidationErrors with a message for the person."""

    def __enter__(self):
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        # Pillow warns (not raises) between its limit and twice it.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return self

    def __exit__(self, kind, exc, tb):
        self._warnings.__exit__(kind, exc, tb)
        if exc is None or isinstance(exc, ValidationError):
            return False
        if isinstance(exc, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
            raise ValidationError(
                _("This image is too large to process. Take a normal photo of the card instead."),
                code="too_many_pixels",
            ) from exc
        if isinstance(exc, UnidentifiedImageError):
            raise ValidationError(NOT_A_PHOTO, code="not_a_photo") from exc
        if isinstance(exc, (OSError, SyntaxError, ValueError, EOFError)):
            raise ValidationError(DAMAGED, code="damaged") from exc
        return False


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: transparent PNGs would otherwise turn black."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
