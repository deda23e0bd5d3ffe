"""The lead page's hand-off button: writes the admitted lead's FHIR file for
the clinical record (admissions.handoff), for holders of export_fhir_bundle."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect

from admissions.handoff.export import export_handoff
from admissions.handoff.record import NotAdmitted
from admissions.models import Lead


def lead_handoff(model_admin, request, lead_id: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.has_perm("admissions.export_fhir_bundle"):
        raise PermissionDenied
    lead = get_object_or_404(Lead, pk=lead_id)
    try:
        path = export_handoff(lead=lead, request=request)
    except NotAdmitted:
        messages.error(request, "Only an admitted lead is handed to the clinical record.")
    else:
        messages.success(request, f"Hand-off file written for the clinical record: {path.name}")
    return redirect("admin:admissions_lead_change", lead.pk)
