"""A coordinator signs in with a password and an authenticator code, opens a
lead and its card image; the audit trail (rows, and the audit admin page a
manager reads) shows both looks."""

import io
import uuid
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from admissions.models import (
    AuditAction,
    AuditEvent,
    ConsentText,
    InsuranceCarrier,
    InsuranceVerification,
    Lead,
    RequestKind,
)
from admissions.phi.crypto import lookup_hash
from tests.security.conftest import PASSWORD
from tests.security.otp import add_authenticator

from .test_staff_security import DESKTOP, seeded_roles, sign_in  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("site_content", "seeded_roles")


@pytest.fixture
def card_store():
    """The card photos' store: sealed rows in the database, as in production."""
    return InsuranceVerification._meta.get_field("card_front").storage


def jpeg(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def lead_with_card():
    phone = "+17145550188"
    lead = Lead.objects.create(
        first_name="Sam",
        last_name="Cardholder",
        phone=phone,
        phone_lookup=lookup_hash("phone", phone),
        kind=RequestKind.INSURANCE,
    )
    verification = InsuranceVerification(
        lead=lead,
        form_token=uuid.uuid4(),
        first_name="Sam",
        last_name="Cardholder",
        phone=phone,
        date_of_birth=date(1988, 5, 6),
        state="CA",
        carrier=InsuranceCarrier.objects.first(),
        member_id="XJH123456789",
        benefits_authorization=ConsentText.objects.get(kind="benefits", language="en", version=1),
    )
    verification.card_front.save("front.jpg", ContentFile(jpeg("navy")), save=False)
    verification.save()
    return lead, verification


def test_a_coordinators_look_at_a_lead_and_its_card_is_in_the_audit_trail(
    open_context,
    django_user_model,
    card_store,
):
    coordinator = django_user_model.objects.create_user(username="casey", password=PASSWORD, is_staff=True)
    coordinator.groups.set(Group.objects.filter(name="Admissions coordinator"))
    manager = django_user_model.objects.create_user(username="morgan", password=PASSWORD, is_staff=True)
    manager.groups.set(Group.objects.filter(name="Admissions manager"))
    lead, verification = lead_with_card()

    page = open_context(**DESKTOP).new_page()
    sign_in(page, "casey", add_authenticator(coordinator))
    page.goto(reverse("admin:admissions_lead_changelist"))
    page.get_by_role("link", name="Sam").first.click()
    page.wait_for_url(f"**{reverse('admin:admissions_lead_change', args=[lead.pk])}")
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Insurance card, front").click()
    card = popup.value
    card.wait_for_load_state()
    assert card.url.endswith(reverse("admin:admissions_lead_card", args=[verification.pk, "front"]))
    assert card.evaluate("document.images[0].naturalWidth") == 320

    looks = AuditEvent.objects.filter(user=coordinator)
    lead_views = looks.filter(action=AuditAction.VIEW, object_type="admissions.lead", object_id=str(lead.pk))
    card_views = looks.filter(
        action=AuditAction.DOWNLOAD,
        object_type="admissions.insuranceverification",
        object_id=str(verification.pk),
        detail="card_front",
    )
    assert lead_views.exists()
    assert card_views.exists()
    # No patient data in any of the coordinator's events.
    for event in looks:
        assert "Sam" not in event.detail and "XJH" not in event.detail

    # A manager reads both in the audit trail.
    manager_page = open_context(**DESKTOP).new_page()
    sign_in(manager_page, "morgan", add_authenticator(manager))
    manager_page.goto(
        reverse("admin:admissions_auditevent_changelist") + f"?user__id__exact={coordinator.pk}"
    )
    rows = manager_page.locator("#result_list tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert any("Viewed" in t and "admissions.lead" in t and str(lead.pk) in t for t in texts), texts
    assert any("Downloaded a file" in t and "card_front" in t for t in texts), texts
