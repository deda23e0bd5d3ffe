"""Writing an admitted lead's FHIR Bundle for the clinical record: validated
against the FHIR R4 models (fhir.resources, R4B) before a byte is written,
then written once to a new file only its owner can read, in
ADMISSIONS_HANDOFF_DIR (the directory the clinical record's interface reads).
The file name and the log line carry the lead's number, never patient data;
each export is an audit event."""

import datetime
import json
import logging
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from admissions.access.audit import audit_record
from admissions.models import AuditAction, Lead

from .fhir import handoff_bundle
from .record import handoff_record

logger = logging.getLogger(__name__)


def handoff_directory() -> Path:
    return Path(settings.ADMISSIONS_HANDOFF_DIR)


def bundle_for_lead(lead: Lead, *, now: datetime.datetime | None = None) -> dict:
    """The validated Bundle of an admitted lead (NotAdmitted otherwise)."""
    bundle = handoff_bundle(handoff_record(lead), site=settings.SITE_URL, now=now or timezone.now())
    Bundle.model_validate(bundle)  # raises on anything the FHIR R4 models refuse
    return bundle


def _write_owner_only(path: Path, data: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # O_EXCL: never overwrite or follow a file someone put there; 0600 from the
    # first byte, whatever the umask.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def export_handoff(*, lead: Lead, user=None, request=None, directory: Path | None = None) -> Path:
    """Write the lead's Bundle to a new file and return its path."""
    now = timezone.now()
    bundle = bundle_for_lead(lead, now=now)
    path = (directory or handoff_directory()) / f"lead-{lead.pk}-{now:%Y%m%dT%H%M%S%fZ}.fhir.json"
    _write_owner_only(path, json.dumps(bundle, indent=2, ensure_ascii=False).encode())
    audit_record(action=AuditAction.EXPORT, request=request, user=user, obj=lead, detail="fhir bundle")
    logger.info("FHIR hand-off for lead %s written to %s", lead.pk, path)
    return path
