"""Responsive renditions of a Picture: cropped around its focal point to the
shape a use needs, at several widths, as AVIF, WebP and JPEG, without EXIF or
any other metadata. Made once when the picture is saved (and on the first
request for one that is missing), stored in MEDIA under a name that changes
when the picture does, so they are served with a one-year cache lifetime.

    renditions/<digest of bytes and focal point>/<shape>-<width>.<ext>
"""

import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, features

from .models import Picture

# Shape -> (aspect width, aspect height, widths). Widths wider than the
# original are left out (never upscaled).
SHAPES = {
    "wide": (3, 2, (480, 800, 1200, 1600)),
    "square": (1, 1, (160, 320, 480)),
    "seal": (1, 1, (96, 192)),
}
FORMATS = [("avif", "image/avif"), ("webp", "image/webp"), ("jpg", "image/jpeg")]
if not features.check("avif"):  # Pillow without libavif: WebP and JPEG only
    FORMATS = FORMATS[1:]
QUALITY = {"avif": 55, "webp": 72, "jpg": 78}
PREFIX = "renditions"
NAME = re.compile(r"^(?P<key>[0-9a-f]{12})/(?P<shape>[a-z]+)-(?P<width>\d+)\.(?P<ext>avif|webp|jpg)$")


@dataclass(frozen=True)
class Rendition:
    shape: str
    width: int
    height: int
    ext: str
    mime: str
    name: str  # storage name

    @property
    def url(self):
        return default_storage.url(self.name)


def folder(picture) -> str:
    return f"{PREFIX}/{picture.rendition_key}"


def widths(picture, shape) -> list[int]:
    aspect_w, aspect_h, wanted = SHAPES[shape]
    if not picture.width or not picture.height:
        return []
    # The largest crop of that shape the original holds.
    crop_w = min(picture.width, picture.height * aspect_w // aspect_h)
    chosen = [w for w in wanted if w <= crop_w]
    return chosen or [crop_w]


def plan(picture, shape) -> list[Rendition]:
    aspect_w, aspect_h, _ = SHAPES[shape]
    base = folder(picture)
    return [
        Rendition(shape, w, round(w * aspect_h / aspect_w), ext, mime, f"{base}/{shape}-{w}.{ext}")
        for ext, mime in FORMATS
        for w in widths(picture, shape)
    ]


def focal_crop(img: Image.Image, shape: str, focal_x: int, focal_y: int) -> Image.Image:
    """The largest box of the shape's aspect ratio, centred on the focal point
    as far as the edges allow."""
    aspect_w, aspect_h, _ = SHAPES[shape]
    width, height = img.size
    crop_w = min(width, height * aspect_w // aspect_h)
    crop_h = min(height, crop_w * aspect_h // aspect_w)
    left = min(max(round(width * focal_x / 100 - crop_w / 2), 0), width - crop_w)
    top = min(max(round(height * focal_y / 100 - crop_h / 2), 0), height - crop_h)
    return img.crop((left, top, left + crop_w, top + crop_h))


def _open(picture) -> Image.Image:
    with picture.file.open("rb") as handle:
        img = Image.open(handle)
        img.load()
    img = ImageOps.exif_transpose(img)  # turn it upright, then forget the EXIF
    if img.mode not in ("RGB", "RGBA"):
        img = img.convert("RGBA" if "transparency" in img.info or img.mode in ("LA", "PA") else "RGB")
    return img


def _encode(img: Image.Image, ext: str) -> bytes:
    out = io.BytesIO()
    if ext == "jpg" and img.mode == "RGBA":
        flat = Image.new("RGB", img.size, (255, 255, 255))
        flat.paste(img, mask=img.getchannel("A"))
        img = flat
    options = {"quality": QUALITY[ext]}
    if ext == "jpg":
        options.update(optimize=True, progressive=True)
    elif ext == "avif":
        options.update(speed=8)
    elif ext == "webp":
        options.update(method=5)
    # No exif=, icc_profile= or xmp=: nothing but pixels goes out.
    img.save(out, format={"jpg": "JPEG", "webp": "WEBP", "avif": "AVIF"}[ext], **options)
    return out.getvalue()


def shapes_for(picture) -> tuple[str, ...]:
    if picture.kind == "team":
        return ("square",)
    if picture.kind == "seal":
        return ("seal",)
    return ("wide",)


def ensure(picture, shapes=None) -> list[Rendition]:
    """Make every missing rendition of picture; returns them all."""
    made = []
    img = None
    for shape in shapes or shapes_for(picture):
        cropped = None
        for rendition in plan(picture, shape):
            if not default_storage.exists(rendition.name):
                if img is None:
                    img = _open(picture)
                if cropped is None:
                    cropped = focal_crop(img, shape, picture.focal_x, picture.focal_y)
                resized = cropped.resize((rendition.width, rendition.height), Image.Resampling.LANCZOS)
                default_storage.save(rendition.name, ContentFile(_encode(resized, rendition.ext)))
            made.append(rendition)
    return made


def picture_saved(sender, instance, raw=False, **kwargs):
    if raw or not instance.file:
        return
    ensure(instance)


def srcset(renditions) -> str:
    return ", ".join(f"{r.url} {r.width}w" for r in renditions)


def sources(picture, shape):
    """[(mime, srcset)] for the modern formats and (fallback rendition, srcset)
    for the <img>, largest first in each."""
    by_ext = {}
    for rendition in plan(picture, shape):
        by_ext.setdefault(rendition.ext, []).append(rendition)
    fallback = by_ext.get("jpg", [])
    modern = [(items[0].mime, srcset(items)) for ext, items in by_ext.items() if ext != "jpg"]
    return modern, fallback


def rendition_for_name(name: str):
    """(Picture, Rendition) a storage name under renditions/ stands for, or None."""
    match = NAME.match(name)
    if not match:
        return None
    picture = Picture.objects.filter(rendition_key=match["key"]).first()
    if picture is None or not picture.file:
        return None
    if match["shape"] not in SHAPES:
        return None
    for rendition in plan(picture, match["shape"]):
        if rendition.name == f"{PREFIX}/{name}":
            return picture, rendition
    return None


def media_url_prefix() -> str:
    return "/" + settings.MEDIA_URL.strip("/") + f"/{PREFIX}/"
