"""The public intake forms and their thank-you pages.

Form pages are never cached (each carries its own one-time token and CSRF
cookie); every other public page stays cacheable. Nothing a person typed is
ever put in a URL: every post ends in a redirect to a fixed thank-you page.
"""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from . import spam
from .attribution import attribution_from_post, attribution_initial
from .audit import client_ip
from .forms import ConsultationForm, InsuranceVerificationForm, IntakeForm, consents_shown
from .models import BlockedSubmission, ConsultationRequest, InsuranceVerification, RequestKind
from .services.intake import (
    RequestContext,
    consultation_request_create,
    insurance_verification_create,
    submission_by_token,
)

RESEND = "We couldn't send your form as it was. Please check your answers and press “Send” again."


@dataclass(frozen=True)
class IntakePage:
    kind: str
    form_class: type[IntakeForm]
    model: type
    create: object
    template: str
    thank_you: str  # URL name


CONSULTATION = IntakePage(
    kind=RequestKind.CONSULTATION,
    form_class=ConsultationForm,
    model=ConsultationRequest,
    create=consultation_request_create,
    template="admissions/consultation.html",
    thank_you="admissions:consultation_thanks",
)
INSURANCE = IntakePage(
    kind=RequestKind.INSURANCE,
    form_class=InsuranceVerificationForm,
    model=InsuranceVerification,
    create=insurance_verification_create,
    template="admissions/verify_insurance.html",
    thank_you="admissions:insurance_thanks",
)


def _see_other(url_name):
    # 303: the browser fetches the thank-you page with GET; reload never re-posts.
    response = HttpResponseRedirect(reverse(url_name))
    response.status_code = 303
    return response


def _render_form(request, page, form, token, attribution, *, status=200):
    return render(
        request,
        page.template,
        {
            "form": form,
            "form_token": token.sign(),
            "attribution": attribution,
            "honeypot_field": spam.HONEYPOT_FIELD,
            "error_summary": form.error_summary() if form.is_bound else [],
        },
        status=status,
    )


def _blocked(page, reason):
    """Spam sees the normal thank-you page; it is counted, not stored."""
    spam.blocked_submission_count(kind=page.kind, reason=reason)
    return _see_other(page.thank_you)


def _intake(request, page):
    if request.method != "POST":
        form = page.form_class()
        token = spam.form_token_issue(consent_ids=form.consent_ids)
        return _render_form(request, page, form, token, attribution_initial(request))

    token = spam.form_token_read(request.POST.get(spam.TOKEN_FIELD))
    if token is not None and submission_by_token(page.model, token.id) is not None:
        return _see_other(page.thank_you)  # double click or resubmission: already stored
    if spam.honeypot_filled(request.POST):
        return _blocked(page, BlockedSubmission.Reason.HONEYPOT)
    if token is not None and spam.is_too_fast(token):
        return _blocked(page, BlockedSubmission.Reason.TOO_FAST)

    consents = consents_shown(page.form_class, token.consent_ids if token else ())
    form = page.form_class(request.POST, request.FILES, consents=consents)
    attribution = attribution_from_post(request)
    if token is None:
        # Missing or altered token (e.g. after a key change): keep the answers,
        # hand out a new token, ask to send again.
        form.is_valid()
        form.add_error(None, RESEND)
        token = spam.form_token_issue(consent_ids=form.consent_ids, reissued=True)
        return _render_form(request, page, form, token, attribution, status=400)
    if not form.is_valid():
        return _render_form(request, page, form, token, attribution, status=400)
    if spam.rate_limit_reached(kind=page.kind, client_ip=client_ip(request)):
        return _blocked(page, BlockedSubmission.Reason.RATE_LIMIT)

    _, created = page.create(
        context=RequestContext(
            form_token=token.id,
            client_ip=client_ip(request),
            page_url=request.build_absolute_uri(),
            attribution=attribution,
        ),
        **form.service_kwargs(),
    )
    if created:  # only stored requests use up the allowance
        spam.rate_limit_record(kind=page.kind, client_ip=client_ip(request))
    return _see_other(page.thank_you)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def consultation(request):
    return _intake(request, CONSULTATION)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify_insurance(request):
    return _intake(request, INSURANCE)


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
