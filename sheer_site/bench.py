"""The floor of scripts/bench_pages.py: what the same gunicorn, Django and
middleware spend on a page that costs nothing to make, a constant ~15 KB HTML
response with a public page's headers. A program page is measured as a
multiple of it (issue 14: <= 1.5x).

Routed only when DJANGO_BENCH_FLOOR is set (settings.BENCH_FLOOR, off by
default and never set by deploy/): production has no such URL.
"""

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

_FILLER = "<p>" + "Constant text for the benchmark floor. " * 12 + "</p>\n"
FLOOR_HTML = (
    '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Floor</title></head>\n<body>\n'
    + _FILLER * (15 * 1024 // len(_FILLER))
    + "</body>\n</html>\n"
).encode()


@require_safe
@cache_control(public=True, max_age=settings.PUBLIC_PAGE_MAX_AGE)
def floor(request):
    return HttpResponse(FLOOR_HTML, content_type="text/html; charset=utf-8")
