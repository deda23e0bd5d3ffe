import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# Same escapes as Django's json_script: stored content can never close the
# <script> element early.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(*blocks):
    """Render each non-empty dict (or each dict of a list) as an application/ld+json script."""
    parts = []
    flat = []
    for block in blocks:
        flat.extend(block if isinstance(block, list) else [block])
    for block in flat:
        if block:
            data = json.dumps(block, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
            parts.append(format_html('<script type="application/ld+json">{}</script>', mark_safe(data)))  # noqa: S308 - escaped above
    return mark_safe("\n".join(parts))  # noqa: S308 - each part built by format_html


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """SITE_URL + the page's public path: never the request's Host or query
    string, and for a staff preview the address the page will have when live."""
    path = context.get("canonical_path") or context["request"].path
    return settings.SITE_URL + path


@register.filter
def absolute_url(path):
    return settings.SITE_URL + path


@register.filter
def static_absolute(path):
    return settings.SITE_URL + static(path)


@register.simple_tag
def picture(pic, shape="wide", sizes="100vw", *, eager=False, css_class=""):
    """A Picture as <picture>: AVIF and WebP sources, a JPEG <img> with srcset,
    sizes, width and height (no layout shift), lazy unless eager; an eager one
    (the hero) is fetched first. Nothing when there is no picture or rendition."""
    from programs import renditions

    if not pic:
        return ""
    modern, fallback = renditions.sources(pic, shape)
    if not fallback:
        return ""
    largest = fallback[-1]
    parts = [
        format_html('<source type="{}" srcset="{}" sizes="{}">', mime, srcset, sizes)
        for mime, srcset in modern
    ]
    loading = mark_safe('fetchpriority="high" loading="eager"' if eager else 'loading="lazy"')  # noqa: S308 - constant
    parts.append(
        format_html(
            '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" {} decoding="async"{}>',
            largest.url,
            renditions.srcset(fallback),
            sizes,
            largest.width,
            largest.height,
            pic.alt,
            loading,
            format_html(' class="{}"', css_class) if css_class else "",
        )
    )
    return format_html("<picture>{}</picture>", mark_safe("".join(parts)))  # noqa: S308 - parts built by format_html


@register.filter
def share_image_url(pic, shape="wide"):
    """The absolute URL of a picture's largest JPEG rendition, for og:image."""
    from programs import renditions

    _modern, fallback = renditions.sources(pic, shape)
    return settings.SITE_URL + fallback[-1].url if fallback else ""
