"""The referral partner report: per partner, how many people it sent us,
how many were admitted, the conversion and the median days to admission.
Counts of people only; no fee or credit of any kind is tracked (California
H&S §11831.6, EKRA: see admissions.models.referrals)."""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from . import selectors


def referral_report_view(model_admin, request):
    if not request.user.has_perm("admissions.view_referralpartner"):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Referral partners: inquiries and admissions",
        "rows": selectors.referral_report(),
        "media": model_admin.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/admissions/lead/referrals.html", context)
