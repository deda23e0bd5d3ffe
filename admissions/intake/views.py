"""The public intake forms and their thank-you pages.

Form pages are never cached (each carries its own one-time token and CSRF
cookie); every other public page stays cacheable, the thank-you pages too:
the same words for everyone, nothing from the request, no cookie (issue 14),
so nginx may answer them even when the app or the database cannot. Nothing a
person typed is ever put in a URL: every post ends in a redirect to a fixed
thank-you page.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from admissions.access.audit import client_ip
from admissions.models import RequestKind
from programs.page_memo import public_page

from . import blank_forms, spam
from .attribution import attribution_from_post, attribution_initial, hidden_inputs
from .forms import ConsultationForm, InsuranceVerificationForm
from .stop_contact import stop_contact_read
from .store import contact_stop_by_link
from .submit import intake_form_issue, intake_submit


def _see_other(url_name):
    # 303: the browser fetches the thank-you page with GET; reload never re-posts.
    response = HttpResponseRedirect(reverse(url_name))
    response.status_code = 303
    return response


def _render_form(request, template, token, attribution, *, form=None, blank=None, status=200):
    """A blank form (the whole page drawn once per worker, the per-visitor
    tokens put in per request) or one sent back with the person's answers and
    errors (drawn now, never kept)."""
    if blank is not None:
        page = blank_forms.blank_page(request, template, blank, _form_context)
        if page is not None:
            return HttpResponse(
                page.fill({"csrf_token": get_token(request), "form_token": token.sign(), **attribution})
            )
    return render(
        request,
        template,
        _form_context(
            form=form,
            blank=blank,
            form_token=token.sign(),
            attribution_html=hidden_inputs(attribution),
            error_summary=form.error_summary() if form is not None and form.is_bound else [],
        ),
        status=status,
    )


def _form_context(*, form=None, blank=None, form_token, attribution_html, error_summary=(), **extra):
    return {
        "form": form,
        "fields_html": blank.fields_html if blank else None,
        "multipart": blank.multipart if blank else form.is_multipart(),
        "form_token": form_token,
        "attribution_html": attribution_html,
        "honeypot_field": spam.HONEYPOT_FIELD,
        "error_summary": error_summary,
        **extra,
    }


def _intake(request, form_class, *, template, thank_you):
    if request.method != "POST":
        blank, token = intake_form_issue(form_class, request.GET)
        return _render_form(request, template, token, attribution_initial(request), blank=blank)
    attribution = attribution_from_post(request)
    outcome = intake_submit(
        form_class=form_class,
        data=request.POST,
        files=request.FILES,
        client_ip=client_ip(request),
        page_url=request.build_absolute_uri(),
        attribution=attribution,
    )
    if outcome.form is not None:
        return _render_form(request, template, outcome.token, attribution, form=outcome.form, status=400)
    # Stored, stored before, or spam: the same thank-you page (spam learns nothing).
    return _see_other(thank_you)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def consultation(request):
    return _intake(
        request,
        ConsultationForm,
        template="admissions/consultation.html",
        thank_you="admissions:consultation_thanks",
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify_insurance(request):
    return _intake(
        request,
        InsuranceVerificationForm,
        template="admissions/verify_insurance.html",
        thank_you="admissions:insurance_thanks",
    )


# Read by sheer_site.middleware.DatabaseOutageMiddleware to show kept answers
# in the form's own words when a post meets a database outage.
consultation.form_class = ConsultationForm
verify_insurance.form_class = InsuranceVerificationForm


def _thank_you(request, kind):
    return render(
        request,
        "admissions/thank_you.html",
        {"kind": kind, "callback_minutes": settings.ADMISSIONS_CALLBACK_MINUTES},
    )


# Public like a program page (settings.CACHEABLE_PATH_PREFIXES lets it through
# the no-store rule for /admissions/): nothing personal is on it, no cookie is set.
@require_safe
@public_page
def consultation_thanks(request):
    return _thank_you(request, RequestKind.CONSULTATION)


@require_safe
@public_page
def insurance_thanks(request):
    return _thank_you(request, RequestKind.INSURANCE)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def stop_contact(request, token):
    """The "stop contacting me" link of every auto-reply. GET only asks (mail
    scanners open links); the button's POST records it."""
    submission = stop_contact_read(token)
    if submission is None:
        return render(request, "admissions/stop_contact.html", {"invalid": True}, status=404)
    done = submission.lead.contact_stopped_at is not None
    if request.method == "POST":
        contact_stop_by_link(submission=submission)
        done = True
    return render(request, "admissions/stop_contact.html", {"done": done})
