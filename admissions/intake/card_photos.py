"""Insurance card photos: accept JPEG, PNG and HEIC (iPhones), refuse
everything else whatever its name says, and keep only a re-encoded JPEG with
no EXIF (no location, no device) at a size a coordinator can read."""

import io
import warnings

import pillow_heif
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# The largest phone photos are 48 MP (8064 x 6048); anything beyond 50 MP is
# not a photo of a card, and a small file that claims it is a decompression bomb.
MAX_PIXELS = 50_000_000
# (Pillow's own guard, Image.MAX_IMAGE_PIXELS, stays as it is for the rest of
# the site; ours is stricter and is checked before anything is decoded.)
ACCEPTED_FORMATS = ("JPEG", "PNG", "HEIF")
# Long side of the stored copy: sharp enough to read a member ID.
STORED_LONG_SIDE = 2400
JPEG_QUALITY = 85

NOT_A_PHOTO = "This file is not a photo we can read. Choose a JPEG, PNG or HEIC photo of the card."
TOO_LARGE = "This photo is {size} MB; each photo must be 10 MB or smaller."
TOO_MANY_PIXELS = (
    "This image is too large to process ({width} × {height} pixels). Take a normal photo of the card instead."
)
DAMAGED = "This photo could not be read; the file may be damaged. Try taking the photo again."


def card_photo_clean(upload) -> ContentFile:
    """Validate an uploaded card photo and return a clean JPEG (EXIF removed,
    orientation applied). Raises ValidationError with a message for the person."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(TOO_LARGE.format(size=f"{upload.size / 1024 / 1024:.1f}"), code="too_large")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow warns (not raises) between its limit and twice it.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=ACCEPTED_FORMATS)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    TOO_MANY_PIXELS.format(width=width, height=height), code="too_many_pixels"
                )
            if image.format == "JPEG":
                # Decode big JPEGs at a reduced scale: less memory, same result.
                image.draft("RGB", (STORED_LONG_SIDE, STORED_LONG_SIDE))
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            "This image is too large to process. Take a normal photo of the card instead.",
            code="too_many_pixels",
        ) from exc
    except UnidentifiedImageError as exc:
        raise ValidationError(NOT_A_PHOTO, code="not_a_photo") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ValidationError(DAMAGED, code="damaged") from exc

    try:
        image = ImageOps.exif_transpose(image)
        image.thumbnail((STORED_LONG_SIDE, STORED_LONG_SIDE))
        if image.mode != "RGB":
            image = _flatten(image)
        out = io.BytesIO()
        # No exif= argument: the new file carries no metadata at all.
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    except (OSError, ValueError) as exc:
        raise ValidationError(DAMAGED, code="damaged") from exc
    return ContentFile(out.getvalue(), name="card.jpg")


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: transparent PNGs would otherwise turn black."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
