"""Error pages that never read the request body again.

A form post whose body Django refuses to parse (``application/x-www-form-
urlencoded; charset=latin-1`` or ``utf-16``) raises BadRequest at every read of
``request.POST``. Django's own error views are wrapped in
``requires_csrf_token``, whose CSRF check reads ``request.POST`` once more: the
400 became a 500. These handlers forget an unreadable body first, and
RejectUnreadableBodyMiddleware (sheer_site.middleware) answers such posts with
the 400 page before the CSRF check or any view reads the body.
"""

from django.http import HttpResponseBadRequest, QueryDict
from django.template import loader
from django.utils.datastructures import MultiValueDict
from django.views import defaults


def forget_unreadable_body(request) -> bool:
    """True (and an empty POST from now on) if Django would refuse to parse
    the body: a urlencoded form in a charset other than UTF-8. Decided from
    the Content-Type alone (Django's own rule), so nothing is read: a large
    body still meets the CSRF check, or its size limit, as before."""
    encoding = getattr(request, "encoding", None)
    if (
        request.method != "POST"
        or request.content_type != "application/x-www-form-urlencoded"
        or encoding is None
        or encoding.lower() == "utf-8"
    ):
        return False
    request._post, request._files = QueryDict(), MultiValueDict()
    return True


def bad_request(request, exception=None):
    forget_unreadable_body(request)
    body = loader.render_to_string("400.html", request=request)
    response = HttpResponseBadRequest(body)
    response["Cache-Control"] = "no-store"
    return response


def permission_denied(request, exception=None):
    forget_unreadable_body(request)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    forget_unreadable_body(request)
    return defaults.page_not_found(request, exception)
