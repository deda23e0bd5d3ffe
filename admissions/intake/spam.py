"""Spam defences that need no third party: a signed one-time form token (which
also dates the form, for the minimum fill time), a honeypot field, and a per-IP
rate limit held in the shared cache. Spam is counted, never stored."""

import datetime
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from admissions.models import BlockedSubmission

TOKEN_SALT = "admissions.form-token"  # noqa: S105 - a signing namespace, not a secret
HONEYPOT_FIELD = "website"
TOKEN_FIELD = "form_token"  # noqa: S105 - a form field name


@dataclass(frozen=True)
class FormToken:
    """What the server said when it handed out the form: which submission this
    will be (id), when the form was issued, which consent wording it showed."""

    id: uuid.UUID
    issued_at: float
    consent_ids: tuple[int, ...] = ()
    # Issued again after a post that arrived without a valid token: the person
    # already filled the form once, so the fill-time check does not apply.
    reissued: bool = False

    def sign(self) -> str:
        payload = {"id": self.id.hex, "at": int(self.issued_at), "c": list(self.consent_ids)}
        if self.reissued:
            payload["r"] = 1
        return signing.dumps(payload, salt=TOKEN_SALT)


def form_token_issue(*, consent_ids=(), reissued=False) -> FormToken:
    return FormToken(
        id=uuid.uuid4(), issued_at=time.time(), consent_ids=tuple(consent_ids), reissued=reissued
    )


def form_token_read(signed: str | None) -> FormToken | None:
    """The token a form came back with, or None when missing or tampered with.

    No expiry: a token can only ever store one submission, so an old one is
    harmless, and a person who left the form open overnight must not lose it.
    """
    if not signed or len(signed) > 500:
        return None
    try:
        payload = signing.loads(signed, salt=TOKEN_SALT)
        return FormToken(
            id=uuid.UUID(hex=payload["id"]),
            issued_at=float(payload["at"]),
            consent_ids=tuple(int(pk) for pk in payload.get("c", [])),
            reissued=bool(payload.get("r")),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None


def is_too_fast(token: FormToken, *, now: float | None = None) -> bool:
    if token.reissued:
        return False
    elapsed = (now or time.time()) - token.issued_at
    return elapsed < settings.ADMISSIONS_MIN_FILL_SECONDS


def honeypot_filled(data) -> bool:
    return bool(data.get(HONEYPOT_FIELD, "").strip())


def _rate_key(kind: str, client_ip: str) -> tuple[str, int]:
    window = settings.ADMISSIONS_RATE_WINDOW_SECONDS
    return f"admissions:rate:{kind}:{client_ip}:{int(time.time() // window)}", window


def rate_limit_reached(*, kind: str, client_ip: str | None) -> bool:
    """Has this address already stored its allowance of this form in the
    current window? Only stored requests count (rate_limit_record): a person
    correcting mistakes, or sending again after an outage, is never taken for
    a flood and silently dropped.

    A fixed window per address and form, in the default cache (the database
    by default) so every server process shares the count.
    ADMISSIONS_RATE_LIMIT=0 turns the limit off (benchmarks).
    """
    limit = settings.ADMISSIONS_RATE_LIMIT
    if not limit or not client_ip:
        return False
    key, _ = _rate_key(kind, client_ip)
    return (cache.get(key) or 0) >= limit


def rate_limit_record(*, kind: str, client_ip: str | None) -> None:
    """Count one stored request against the address's allowance."""
    if not settings.ADMISSIONS_RATE_LIMIT or not client_ip:
        return
    key, window = _rate_key(kind, client_ip)
    cache.add(key, 0, timeout=window * 2)
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window * 2)


def blocked_submission_count(*, kind: str, reason: str, day: datetime.date | None = None) -> None:
    """Add one to today's spam counter for this form and reason (atomic in SQL)."""
    day = day or timezone.localdate()
    counter, _ = BlockedSubmission.objects.get_or_create(day=day, kind=kind, reason=reason)
    BlockedSubmission.objects.filter(pk=counter.pk).update(count=F("count") + 1)
