"""Insurance card photos, decrypted for holders of view_card_image only, and
every look written to the audit trail. The photos are sealed rows in the
database (admissions.models.card_photos), so any app host shows any photo."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse

from admissions.access.audit import audit_record
from admissions.models import AuditAction, InsuranceVerification

CARD_SIDES = ("front", "back")


def card_image(model_admin, request, submission_id: int, side: str):
    """A card photo, decrypted, inline, never cached. The intake re-encoded
    every upload to JPEG, so the type is fixed and the browser must not guess."""
    if not request.user.has_perm("admissions.view_card_image"):
        raise PermissionDenied
    if side not in CARD_SIDES:
        raise Http404("No such side.")
    submission = InsuranceVerification.objects.filter(pk=submission_id).first()
    stored = getattr(submission, f"card_{side}", None) if submission else None
    if not stored:
        raise Http404("No card image.")
    try:
        with stored.storage.open(stored.name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        # A name whose file was already missing on disk when 0017 moved the photos in.
        raise Http404("No card image.") from None
    audit_record(action=AuditAction.DOWNLOAD, request=request, obj=submission, detail=f"card_{side}")
    response = HttpResponse(data, content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="card-{side}.jpg"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(len(data))
    return response
