"""First-party attribution: where a person first landed, which site sent them
and the utm_* tags, carried to the lead without cookies.

static/js/attribution.js keeps the first landing page of the visit in
sessionStorage and fills the form's hidden fields. With JavaScript off the
form page fills them itself from its own request (query string and an
external Referer), which is fine because form pages are never cached.
"""

from urllib.parse import urlsplit

from django.utils.html import format_html_join

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
FIELDS = ("landing_page", "referrer", *UTM_FIELDS)
MAX_LENGTHS = {"landing_page": 500, "referrer": 500} | dict.fromkeys(UTM_FIELDS, 100)


def _clean(name: str, value) -> str:
    # Printable text only, cut to the column size: attribution never blocks a request.
    if not value:
        return ""
    text = str(value)
    if not text.isprintable():
        text = "".join(ch for ch in text if ch.isprintable())
    text = text.strip()
    return text[: MAX_LENGTHS[name]]


def _external_referrer(request, referrer: str) -> str:
    host = urlsplit(referrer).hostname or ""
    own = request.get_host().split(":")[0]
    return referrer if host and host != own else ""


def attribution_initial(request) -> dict:
    """Hidden-field values for a form page, from the request that loaded it."""
    values = {
        "landing_page": request.build_absolute_uri(),
        "referrer": _external_referrer(request, request.headers.get("Referer", "")),
        **{name: request.GET.get(name, "") for name in UTM_FIELDS},
    }
    return {name: _clean(name, values[name]) for name in FIELDS}


def attribution_from_post(request) -> dict:
    """What the form sent back, falling back to the post's own query string."""
    values = {}
    for name in FIELDS:
        value = request.POST.get(name, "") or (request.GET.get(name, "") if name in UTM_FIELDS else "")
        values[name] = _clean(name, value)
    if values["referrer"]:
        values["referrer"] = _external_referrer(request, values["referrer"])
    return values


def hidden_inputs(values: dict):
    """The form's hidden attribution inputs (values escaped)."""
    return format_html_join("\n    ", '<input type="hidden" name="{}" value="{}">', values.items())
