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
    """Render each non-empty dict as an application/ld+json script."""
    parts = []
    for block in blocks:
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
