"""`manage.py purge_leads` removes the patient data of expired leads, card
photos first, and nothing else; --dry-run changes nothing; running it twice is
safe. Card photos are sealed rows in the database (issue 14): a trigger also
takes them with their request, whatever deletes it."""

import uuid
from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from admissions.models import (
    AuditAction,
    AuditEvent,
    CardPhoto,
    ConsentText,
    ConsultationRequest,
    InsuranceCarrier,
    InsuranceVerification,
    Lead,
    LeadEvent,
    LeadStatus,
    RequestKind,
)
from admissions.phi.crypto import lookup_hash

pytestmark = pytest.mark.django_db

NOW = timezone.now()
OLD = NOW - timedelta(days=91)
RECENT = NOW - timedelta(days=89)


@pytest.fixture(autouse=True)
def retention(settings):
    settings.LEAD_RETENTION_DAYS = 90


@pytest.fixture
def storage():
    return InsuranceVerification._meta.get_field("card_front").storage


def stored_photo_names() -> list[str]:
    return sorted(CardPhoto.objects.values_list("name", flat=True))


def make_lead(name, *, status=LeadStatus.NEW, last_activity_at=NOW, cards=False, editor=None):
    phone = f"+1714555{abs(hash(name)) % 10000:04d}"
    lead = Lead.objects.create(
        first_name=name,
        last_name="Canary",
        phone=phone,
        phone_lookup=lookup_hash("phone", phone),
        kind=RequestKind.INSURANCE if cards else RequestKind.CONSULTATION,
        status=status,
        close_reason="Chose another program" if status not in (LeadStatus.NEW, LeadStatus.ADMITTED) else "",
        received_at=last_activity_at,
        last_activity_at=last_activity_at,
    )
    if cards:
        verification = InsuranceVerification(
            lead=lead,
            form_token=uuid.uuid4(),
            submitted_at=last_activity_at,
            first_name=name,
            last_name="Canary",
            phone=phone,
            date_of_birth=date(1990, 1, 2),
            state="CA",
            carrier=InsuranceCarrier.objects.first(),
            member_id="MEMBER123",
            benefits_authorization=ConsentText.objects.get(kind="benefits", language="en", version=1),
        )
        verification.card_front.save("front.jpg", ContentFile(b"front of " + name.encode()), save=False)
        verification.card_back.save("back.jpg", ContentFile(b"back of " + name.encode()), save=False)
        verification.save()
    else:
        ConsultationRequest.objects.create(
            lead=lead,
            form_token=uuid.uuid4(),
            submitted_at=last_activity_at,
            first_name=name,
            last_name="Canary",
            phone=phone,
            who_needs_help="self",
            contact_consent=ConsentText.objects.get(kind="contact", language="en", version=1),
            message="private message",
        )
    LeadEvent.objects.create(lead=lead, at=last_activity_at, kind=LeadEvent.Kind.NOTE, note="clinical note")
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Lead),
        object_id=str(lead.pk),
        object_repr=str(lead),
        action_flag=CHANGE,
        change_message="[]",
        user=editor,
    )
    return lead


def card_files(lead):
    return [
        name
        for v in InsuranceVerification.objects.filter(lead=lead)
        for name in (v.card_front.name, v.card_back.name)
    ]


def purge(*args):
    out = StringIO()
    call_command("purge_leads", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def leads(coordinator):
    def make(*args, **kwargs):
        return make_lead(*args, editor=coordinator, **kwargs)

    return {
        "old_closed_with_cards": make("Ada", status=LeadStatus.DECLINED, last_activity_at=OLD, cards=True),
        "old_admitted": make("Bea", status=LeadStatus.ADMITTED, last_activity_at=OLD),
        "old_open_inactive": make("Cy", status=LeadStatus.CONTACT_ATTEMPTED, last_activity_at=OLD),
        "recent_closed_with_cards": make(
            "Dot", status=LeadStatus.DECLINED, last_activity_at=RECENT, cards=True
        ),
        "open_today_with_cards": make("Eve", cards=True),
    }


def test_purge_removes_expired_leads_and_nothing_else(leads, storage):
    kept = [leads["recent_closed_with_cards"], leads["open_today_with_cards"]]
    gone = [leads["old_closed_with_cards"], leads["old_admitted"], leads["old_open_inactive"]]
    gone_files = card_files(leads["old_closed_with_cards"])
    kept_files = [name for lead in kept for name in card_files(lead)]
    assert all(storage.exists(name) for name in gone_files + kept_files)

    output = purge()

    assert set(Lead.objects.values_list("pk", flat=True)) == {lead.pk for lead in kept}
    for lead in gone:
        assert not ConsultationRequest.objects.filter(lead_id=lead.pk).exists()
        assert not InsuranceVerification.objects.filter(lead_id=lead.pk).exists()
        assert not LeadEvent.objects.filter(lead_id=lead.pk).exists()
        assert not LogEntry.objects.filter(object_id=str(lead.pk), content_type__model="lead").exists()
        assert not Lead.objects.filter(phone_lookup=lead.phone_lookup).exists()
    assert not any(storage.exists(name) for name in gone_files)
    assert all(storage.exists(name) for name in kept_files)
    assert stored_photo_names() == sorted(kept_files)
    for lead in kept:
        assert LeadEvent.objects.filter(lead=lead).count() == 1
        assert LogEntry.objects.filter(object_id=str(lead.pk), content_type__model="lead").count() == 1
    assert (
        InsuranceVerification.objects.get(lead=leads["open_today_with_cards"])
        .card_front.read()
        .startswith(b"front of Eve")
    )

    event = AuditEvent.objects.get(action=AuditAction.PURGE)
    assert event.detail.startswith("leads=3 closed=2 inactive=1 files=2 rows=9 history=3 ")
    assert "Ada" not in event.detail and "Canary" not in event.detail
    assert "leads=3" in output


def test_recent_activity_keeps_a_lead_whose_timestamp_was_not_touched(leads):
    lead = leads["old_open_inactive"]
    LeadEvent.objects.create(lead=lead, at=RECENT, kind=LeadEvent.Kind.CALL)
    purge()
    assert Lead.objects.filter(pk=lead.pk).exists()


def test_dry_run_changes_nothing(leads):
    before_files = stored_photo_names()
    output = purge("--dry-run")
    assert "Dry run, nothing changed: leads=3 closed=2 inactive=1 files=2" in output
    assert Lead.objects.count() == 5
    assert LeadEvent.objects.count() == 5
    assert LogEntry.objects.count() == 5
    assert stored_photo_names() == before_files
    assert not AuditEvent.objects.filter(action=AuditAction.PURGE).exists()


def test_running_twice_is_safe(leads):
    purge()
    second = purge()
    assert "leads=0" in second
    assert Lead.objects.count() == 2
    details = list(
        AuditEvent.objects.filter(action=AuditAction.PURGE).order_by("id").values_list("detail", flat=True)
    )
    assert len(details) == 2
    assert details[1].startswith("leads=0 closed=0 inactive=0 files=0 rows=0")


def test_a_missing_file_does_not_stop_the_purge(leads, storage):
    lead = leads["old_closed_with_cards"]
    storage.delete(card_files(lead)[0])
    purge()
    assert not Lead.objects.filter(pk=lead.pk).exists()


def test_the_period_comes_from_settings_or_the_command_line(leads, settings):
    settings.LEAD_RETENTION_DAYS = 200
    purge()
    assert Lead.objects.count() == 5
    purge("--days", "80")
    assert Lead.objects.count() == 1  # only the one active today


def test_a_zero_period_is_refused(leads):
    with pytest.raises(CommandError, match="at least one day"):
        purge("--days", "0")
    assert Lead.objects.count() == 5


def test_a_photo_goes_with_its_request_whatever_deletes_it(leads, storage):
    """The trigger (PostgreSQL): deleting a lead or a request by any path, or
    replacing a photo, deletes the photo rows in the same transaction."""
    lead = leads["open_today_with_cards"]
    names = card_files(lead)
    verification = InsuranceVerification.objects.get(lead=lead)
    verification.card_back.save("back.jpg", ContentFile(b"another back"), save=True)
    assert not storage.exists(names[1]) and storage.exists(verification.card_back.name)
    lead.delete()  # cascades to the request without the purge's help
    assert not any(storage.exists(name) for name in [*names, verification.card_back.name])
    others = ("old_closed_with_cards", "recent_closed_with_cards")
    assert stored_photo_names() == sorted(name for key in others for name in card_files(leads[key]))
