"""The "stop contacting me" link in every auto-reply: a signed token of the
request's kind and id only, never anything the person typed, so the URL
carries no patient data (and a changed token does not verify)."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from admissions.models import SUBMISSION_MODELS, RequestKind

STOP_SALT = "admissions.stop-contact"


def stop_contact_token(*, kind: str, submission_id: int) -> str:
    return signing.dumps({"k": str(kind), "i": int(submission_id)}, salt=STOP_SALT)


def stop_contact_url(*, kind: str, submission_id: int) -> str:
    path = reverse(
        "admissions:stop_contact", args=[stop_contact_token(kind=kind, submission_id=submission_id)]
    )
    return settings.SITE_URL + path


def stop_contact_read(token: str):
    """The submission a stop link names, or None when the link was altered."""
    try:
        payload = signing.loads(token, salt=STOP_SALT)
        model = SUBMISSION_MODELS[RequestKind(payload["k"])]
        return model.objects.select_related("lead").filter(pk=int(payload["i"])).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
