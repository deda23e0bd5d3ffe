"""Spam defences that need no third party: a signed one-time form token (which
also dates the form, for the minimum fill time), a honeypot field, and a per-IP
rate limit counted in the database. A honeypot hit is counted and dropped; a
post sent too fast or over the limit is stored and flagged "Possible spam" for
a person to look at (a real person's phone autofill is fast, too)."""

import datetime
import hashlib
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from admissions.models import BlockedSubmission, RateCount

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
    # Issued again after a post that arrived without a valid token. It is
    # dated like any other token and gets the same fill-time check: a bot
    # that leaves the token out must not skip it (a person who is sent back
    # and presses Send at once is stored and flagged, never dropped).
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
    elapsed = (now or time.time()) - token.issued_at
    return elapsed < settings.ADMISSIONS_MIN_FILL_SECONDS


def honeypot_filled(data) -> bool:
    return bool(data.get(HONEYPOT_FIELD, "").strip())


def _rate_key(kind: str, client_ip: str, now: float) -> tuple[str, datetime.datetime]:
    window = settings.ADMISSIONS_RATE_WINDOW_SECONDS
    start = int(now // window) * window
    # A keyed hash: the address is personal data and stays out of the table.
    raw = f"{settings.SECRET_KEY}:{kind}:{client_ip}:{start}".encode()
    key = hashlib.sha256(raw).hexdigest()
    return key, datetime.datetime.fromtimestamp(start, tz=datetime.UTC)


def rate_limit_take(*, kind: str, client_ip: str | None, now: float | None = None) -> bool:
    """Count this request against the address's allowance of this form in the
    current fixed window and say whether it went over: counted and checked
    under one row lock, so concurrent posts each see the count before them
    (the old get-then-incr let 8 of 20 concurrent posts through a limit of 5).

    Over the limit is no longer dropped: the caller stores the request and
    flags it. ADMISSIONS_RATE_LIMIT=0 turns the limit off (benchmarks).
    """
    limit = settings.ADMISSIONS_RATE_LIMIT
    if not limit or not client_ip:
        return False
    key, window_start = _rate_key(kind, client_ip, now or time.time())
    for _ in range(2):
        try:
            with transaction.atomic():
                RateCount.objects.get_or_create(key=key, defaults={"window_start": window_start})
                row = RateCount.objects.select_for_update().get(key=key)
                RateCount.objects.filter(pk=row.pk).update(count=F("count") + 1)
                return row.count + 1 > limit
        except IntegrityError:  # a concurrent first post created the row: count again
            continue
    return True


def rate_limit_refund(*, kind: str, client_ip: str | None, now: float | None = None) -> None:
    """Give back one count: the request was not stored after all (a failed
    save, or a double submit), so a person sending again is not taken for a flood."""
    if not settings.ADMISSIONS_RATE_LIMIT or not client_ip:
        return
    key, _ = _rate_key(kind, client_ip, now or time.time())
    RateCount.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)


def rate_counts_purge(*, before: datetime.datetime) -> int:
    """Drop counts of windows that ended (send_owed_alerts calls it)."""
    return RateCount.objects.filter(window_start__lt=before).delete()[0]


def blocked_submission_count(*, kind: str, reason: str, day: datetime.date | None = None) -> None:
    """Add one to today's spam counter for this form and reason (atomic in SQL)."""
    day = day or timezone.localdate()
    counter, _ = BlockedSubmission.objects.get_or_create(day=day, kind=kind, reason=reason)
    BlockedSubmission.objects.filter(pk=counter.pk).update(count=F("count") + 1)
