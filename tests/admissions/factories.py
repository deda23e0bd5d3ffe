"""Test data for the staff side: leads made through the real intake services
(so they are encrypted and hashed exactly as the public forms store them),
staff users in the roles the data migration creates, and an admin login that
also satisfies the second factor when django-otp is installed.

Fixtures here are imported by name into the test modules that use them.
"""

import datetime
import importlib
import io
import itertools
import uuid

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from admissions.contact import normalize_phone
from admissions.intake.store import (
    RequestContext,
    consultation_request_create,
    insurance_verification_create,
)
from admissions.models import ConsentText, InsuranceCarrier, Lead

roles = importlib.import_module("admissions.migrations.0002_seed_roles_consents_carriers")
COORDINATOR = roles.COORDINATOR
MANAGER = roles.MANAGER
CONTENT_EDITOR = roles.CONTENT_EDITOR
ROLE_PERMISSIONS = {
    COORDINATOR: roles.COORDINATOR_PERMISSIONS,
    MANAGER: roles.MANAGER_PERMISSIONS,
    CONTENT_EDITOR: roles.CONTENT_EDITOR_PERMISSIONS,
}
PASSWORD = "correct-horse-battery-staple"

_phone_numbers = itertools.count(100)


def next_phone() -> str:
    """A fresh valid Orange County number per call (555-01xx is reserved for fiction,
    so the exchange varies instead)."""
    n = next(_phone_numbers)
    return normalize_phone(f"(714) {200 + n // 10000:03d}-{n % 10000:04d}")


def role_group(name: str) -> Group:
    """The role's group as the data migration made it. A transactional test
    flushes the database, groups included; this puts it back."""
    group = Group.objects.filter(name=name).first()
    if group is None:
        roles._grant(apps, name, ROLE_PERMISSIONS[name])
        group = Group.objects.get(name=name)
    return group


def make_user(username: str, *, role: str | None = None, superuser: bool = False, **fields):
    model = get_user_model()
    if superuser:
        user = model.objects.create_superuser(username=username, password=PASSWORD, **fields)
    else:
        user = model.objects.create_user(username=username, password=PASSWORD, **{"is_staff": True, **fields})
    if role:
        user.groups.add(role_group(role))
    return user


def coordinator(username="coordinator", **fields):
    return make_user(username, role=COORDINATOR, **fields)


def manager(username="manager", **fields):
    return make_user(username, role=MANAGER, **fields)


def content_editor(username="content_editor", **fields):
    return make_user(username, role=CONTENT_EDITOR, **fields)


def otp_verify(user):
    """A confirmed authenticator for `user` when django-otp is installed; the
    session key that marks a session as having passed the second factor."""
    if not apps.is_installed("django_otp"):
        return None, None
    from django_otp import DEVICE_ID_SESSION_KEY

    # Issue 15 #9: authenticators are admissions.access's sealed devices now.
    from admissions.access.models import AuthenticatorApp

    device = AuthenticatorApp.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = AuthenticatorApp.objects.create(user=user, name="test phone", confirmed=True)
    return device, DEVICE_ID_SESSION_KEY


def login(client, user):
    """Log `user` into the admin with both factors, as a real login would."""
    client.force_login(user)
    device, key = otp_verify(user)
    if device is not None:
        session = client.session
        session[key] = device.persistent_id
        session.save()
    return client


def consent(kind: str) -> ConsentText:
    text, _ = ConsentText.objects.get_or_create(
        kind=kind, language="en", version=1, defaults={"text": f"Consent ({kind})."}
    )
    return text


def carrier(name="Aetna") -> InsuranceCarrier:
    return InsuranceCarrier.objects.get_or_create(name=name)[0]


def make_consultation(*, phone: str | None = None, email: str = "", attribution=None, **answers):
    """A consultation request stored by the intake service; returns (request, lead)."""
    fields = {
        "first_name": "Maria",
        "last_name": "Lopez",
        "best_time_to_call": "morning",
        "who_needs_help": "loved_one",
        "caller_relation": "Mother",
        "message": "My son needs help.",
        "heard_about": "search",
        **answers,
    }
    request, _ = consultation_request_create(
        context=RequestContext(
            form_token=uuid.uuid4(),
            client_ip="203.0.113.7",
            page_url="/admissions/consultation/",
            attribution=attribution or {},
        ),
        phone=next_phone() if phone is None else phone,
        email=email,
        contact_consent=consent("contact"),
        **fields,
    )
    return request, Lead.objects.get(pk=request.lead_id)


def jpeg(color="navy", size=(64, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG")
    return out.getvalue()


def make_insurance(
    *, phone: str | None = None, email: str = "", cards: bool = False, attribution=None, **answers
):
    fields = {
        "first_name": "Daniel",
        "last_name": "Kim",
        "date_of_birth": datetime.date(1985, 4, 27),
        "state": "CA",
        "carrier": carrier(),
        "member_id": "W123456789",
        "group_number": "GRP-001",
        "policy_holder": "patient",
        **answers,
    }
    if cards:
        fields["card_front"] = ContentFile(jpeg("navy"), name="front.jpg")
        fields["card_back"] = ContentFile(jpeg("teal"), name="back.jpg")
    request, _ = insurance_verification_create(
        context=RequestContext(
            form_token=uuid.uuid4(), client_ip="203.0.113.8", attribution=attribution or {}
        ),
        phone=next_phone() if phone is None else phone,
        email=email,
        benefits_authorization=consent("benefits"),
        **fields,
    )
    return request, Lead.objects.get(pk=request.lead_id)


def received(lead: Lead, *, ago: datetime.timedelta) -> Lead:
    """Backdate a lead's arrival (the intake service stamps it with now)."""
    lead.received_at = timezone.now() - ago
    lead.save(update_fields=["received_at"])
    return lead


@pytest.fixture(name="card_storage")
def card_storage_fixture():
    """The stored card photos: sealed rows in the database since issue 14
    (`card_storage.rows()` lists them)."""
    from .intake_support import StoredCardPhotos

    return StoredCardPhotos()
