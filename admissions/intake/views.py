"""The public intake forms and their thank-you pages.

Form pages are never cached (each carries its own one-time token and CSRF
cookie); every other public page stays cacheable. Nothing a person typed is
ever put in a URL: every post ends in a redirect to a fixed thank-you page.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from admissions.access.audit import client_ip
from admissions.models import RequestKind

from . import spam
from .attribution import attribution_from_post, attribution_initial
from .forms import ConsultationForm, InsuranceVerificationForm
from .stop_contact import stop_contact_read
from .store import contact_stop_by_link
from .submit import intake_form_issue, intake_submit


def _see_other(url_name):
    # 303: the browser fetches the thank-you page with GET; reload never re-posts.
    response = HttpResponseRedirect(reverse(url_name))
    response.status_code = 303
    return response


def _render_form(request, template, form, token, attribution, *, status=200):
    return render(
        request,
        template,
        {
            "form": form,
            "form_token": token.sign(),
            "attribution": attribution,
            "honeypot_field": spam.HONEYPOT_FIELD,
            "error_summary": form.error_summary() if form.is_bound else [],
        },
        status=status,
    )


def _intake(request, form_class, *, template, thank_you):
    if request.method != "POST":
        form, token = intake_form_issue(form_class)
        form.preselect(request.GET)
        return _render_form(request, template, form, token, attribution_initial(request))
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
        return _render_form(request, template, outcome.form, outcome.token, attribution, status=400)
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


@never_cache
@require_safe
def consultation_thanks(request):
    return _thank_you(request, RequestKind.CONSULTATION)


@never_cache
@require_safe
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
