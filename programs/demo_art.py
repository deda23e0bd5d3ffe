"""Illustrations for the demo content, drawn with Pillow in the site's
palette: made for the project, free to use, no photos and no real people.
Deterministic, so loading the demo twice gives the same bytes (and the same
renditions)."""

import io

from PIL import Image, ImageDraw

BRAND = (11, 79, 108)
BRAND_DARK = (8, 58, 80)
TINT = (232, 241, 245)
SAND = (240, 226, 196)
SEA = (143, 208, 196)
SUN = (240, 165, 0)


def _jpeg(img) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88)
    return out.getvalue()


def _sky(draw, width, height, top, bottom):
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )


def scene(variant: int, width=1800, height=1200) -> bytes:
    """A calm landscape: sky, sun, hills or sea, and a house or a path."""
    img = Image.new("RGB", (width, height), TINT)
    draw = ImageDraw.Draw(img)
    _sky(draw, width, int(height * 0.62), (214, 234, 242), (250, 244, 230))
    sun_x = width * (0.25 + 0.2 * variant)
    draw.ellipse([sun_x - 110, 170, sun_x + 110, 390], fill=SUN)
    horizon = int(height * 0.58)
    if variant == 0:  # the coast
        draw.rectangle([0, horizon, width, height], fill=SEA)
        for i in range(6):
            y = horizon + 60 + i * 70
            draw.arc([-200 + i * 90, y - 30, width + 200, y + 60], 190, 350, fill=(255, 255, 255), width=6)
        draw.polygon([(0, height), (0, int(height * 0.78)), (width * 0.55, height)], fill=SAND)
    else:  # hills and a path
        draw.polygon(
            [
                (0, horizon + 40),
                (width * 0.4, horizon - 120),
                (width, horizon + 20),
                (width, height),
                (0, height),
            ],
            fill=(120, 178, 160),
        )
        draw.polygon(
            [
                (0, height),
                (0, horizon + 160),
                (width * 0.6, horizon + 40),
                (width, horizon + 220),
                (width, height),
            ],
            fill=(74, 140, 124),
        )
        draw.polygon(
            [
                (width * 0.45, height),
                (width * 0.55, height),
                (width * 0.62, horizon + 80),
                (width * 0.6, horizon + 80),
            ],
            fill=SAND,
        )
    # A house with a door and windows: the program's home base.
    hx, hy = int(width * (0.62 if variant != 1 else 0.22)), horizon - 30
    draw.rectangle([hx, hy, hx + 360, hy + 230], fill=(255, 255, 255))
    draw.polygon([(hx - 30, hy), (hx + 180, hy - 150), (hx + 390, hy)], fill=BRAND)
    draw.rectangle([hx + 150, hy + 100, hx + 215, hy + 230], fill=BRAND_DARK)
    for wx in (hx + 40, hx + 260):
        draw.rectangle([wx, hy + 60, wx + 60, hy + 120], fill=SEA)
    return _jpeg(img)


def portrait(initials: str, hue: int, size=640) -> bytes:
    """A round avatar with the person's initials: a placeholder for a real photo."""
    colours = [BRAND, (74, 140, 124), (150, 96, 40), BRAND_DARK]
    img = Image.new("RGB", (size, size), TINT)
    draw = ImageDraw.Draw(img)
    draw.ellipse([40, 40, size - 40, size - 40], fill=colours[hue % len(colours)])
    draw.text((size / 2, size / 2), initials, fill=(255, 255, 255), anchor="mm", font_size=size // 4)
    return _jpeg(img)
