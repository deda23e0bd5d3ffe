"""Issue 11, benefits verification (VOB) that staff complete: the record a 271
pre-fills and a coordinator finishes on the phone, the carve-out re-check,
the work queue with its holds, the words read to the family, and the same care
for the data as the rest (encrypted, audited, purged, role-checked)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from admissions.eligibility import Status, tasks
from admissions.eligibility.fake_clearinghouse import FakeClearinghouse
from admissions.models import (
    AuditEvent,
    BenefitsStatus,
    BenefitsVerification,
    EligibilityCheck,
    FigureSource,
    InsuranceVerification,
    LeadEvent,
    LeadStatus,
)
from admissions.services.benefits import benefits_claim, benefits_save
from admissions.services.pipeline import lead_status_change
from admissions.staff.benefits import family_summary

from .factories import content_editor, coordinator, login, make_insurance, make_user, manager

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fake_payer(settings):
    settings.ELIGIBILITY_BACKEND = "fake"
    return settings


def checked(member_id="W123456789", attempt=1, **answers):
    """An insurance request whose automatic check (attempt 1) has run; (request, lead)."""
    verification, lead = make_insurance(member_id=member_id, **answers)
    tasks.eligibility_check_run.call(verification.pk, attempt)
    return verification, lead


def record_of(verification) -> BenefitsVerification:
    return BenefitsVerification.objects.get(verification=verification)


def page_url(verification) -> str:
    return reverse("admin:admissions_lead_benefits", args=[verification.lead_id, verification.pk])


QUEUE_URL = "/admin/admissions/lead/benefits/"


# The 271 pre-fills the record ------------------------------------------------------------


def test_a_271_pre_fills_the_benefits_record_as_electronic_figures():
    verification, lead = checked()
    record = record_of(verification)
    check = EligibilityCheck.objects.get(verification=verification)
    assert record.prefilled_from == check and record.status == BenefitsStatus.NOT_STARTED
    assert (record.deductible_individual, record.deductible_individual_met) == (
        Decimal("1500"),
        Decimal("400"),
    )
    assert (record.out_of_pocket_individual, record.out_of_pocket_individual_met) == (
        Decimal("6000"),
        Decimal("800"),
    )
    assert record.iop_coinsurance == Decimal("20") and record.out_of_network_coinsurance == Decimal("40")
    origin = record.source_of("deductible_individual")
    assert origin.source == FigureSource.ELECTRONIC and origin.check_id == check.pk and origin.by_id is None
    # What nobody knows yet stays empty, unlabelled: in network or not is a question for the phone.
    assert record.iop_network == "" and record.source_of("iop_network") is None
    event = LeadEvent.objects.get(lead=lead, kind=LeadEvent.Kind.BENEFITS)
    assert event.actor is None and "pre-filled from the automatic insurance check (attempt 1)" in event.note
    assert "1500" not in event.note  # the record holds the numbers, the timeline says what was done


def test_a_phone_verified_figure_keeps_its_label_when_a_later_271_arrives():
    verification, _ = checked()
    coord = coordinator()
    benefits_save(
        verification=verification,
        actor=coord,
        figures={"deductible_individual": Decimal("2000"), "deductible_individual_met": Decimal("400")},
        call={"payer_reference": "REF-77"},
        confirmed={"deductible_individual_met"},
    )
    record = record_of(verification)
    changed, confirmed = (
        record.source_of("deductible_individual"),
        record.source_of("deductible_individual_met"),
    )
    assert changed.phone_verified and changed.by_id == coord.pk and changed.at is not None
    assert confirmed.phone_verified and confirmed.by_id == coord.pk
    assert record.source_of("out_of_pocket_individual").source == FigureSource.ELECTRONIC

    tasks.eligibility_check_rerun(verification=verification, user=coord)  # attempt 2, queued
    tasks.eligibility_check_run.call(verification.pk, 2)
    record = record_of(verification)
    assert record.deductible_individual == Decimal("2000")
    assert record.source_of("deductible_individual").phone_verified
    assert record.source_of("deductible_individual").by_id == coord.pk
    second = EligibilityCheck.objects.get(verification=verification, attempt=2)
    assert record.prefilled_from == second
    assert record.source_of("out_of_pocket_individual").check_id == second.pk
    note = LeadEvent.objects.filter(kind=LeadEvent.Kind.BENEFITS, actor=None).first().note
    assert "2 phone-verified figures kept" in note


def test_the_carve_out_re_check_sends_a_second_270_and_records_both():
    verification, lead = checked(member_id="W1234-CARVEOUT")
    plan = EligibilityCheck.objects.get(verification=verification, carve_out_of=None)
    recheck = EligibilityCheck.objects.get(carve_out_of=plan)
    assert plan.status == Status.CARVED_OUT and recheck.status == Status.ACTIVE
    assert recheck.attempt == plan.attempt and recheck.trace_number == f"SHEER-IV-{verification.pk}-1-CO"
    assert "NM1*PR*2*AETNA*****PI*60054~" in plan.request_sent
    # To Magellan's payer ID, one 270 per service type the directory lists for it.
    sent = recheck.request_sent.split("\n")
    assert len(sent) == 3 and all("NM1*PR*2*MAGELLAN HEALTHCARE*****PI*01260~" in x12 for x12 in sent)
    assert [x12.count("~EQ*") for x12 in sent] == [1, 1, 1]
    assert ["~EQ*MH~" in sent[0], "~EQ*AI~" in sent[1], "~EQ*CJ~" in sent[2]] == [True, True, True]
    # The benefits come from the administrator, who runs behavioural health for this plan.
    record = record_of(verification)
    assert (record.deductible_individual, record.deductible_individual_met) == (
        Decimal("1500"),
        Decimal("600"),
    )
    assert record.review_by == "MAGELLAN HEALTHCARE" and record.iop_authorization == "required"
    # Run again (a redelivered task): nothing asked twice.
    assert tasks.eligibility_check_run.call(verification.pk, 1) == "already checked"
    assert EligibilityCheck.objects.filter(verification=verification).count() == 2
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW  # still a coordinator's call
    # The lead page shows the plan's answer, then the administrator's.
    page = login(Client(), coordinator()).get(reverse("admin:admissions_lead_change", args=[lead.pk]))
    text = page.content.decode()
    assert f">SHEER-IV-{verification.pk}-1</dd>" in text and f"SHEER-IV-{verification.pk}-1-CO" not in text
    assert "Re-check with the behavioural-health administrator: Coverage active" in text
    assert "Coverage is ACTIVE with MAGELLAN HEALTHCARE." in text


def test_the_carve_out_re_check_through_the_fake_clearinghouse(settings):
    with FakeClearinghouse() as house:
        settings.ELIGIBILITY_BACKEND = "x12"
        settings.ELIGIBILITY = house.x12_options()
        verification, _ = checked(member_id="CARVEOUT-5")
    assert house.inquiries == [("60054", "MH"), ("01260", "MH"), ("01260", "AI"), ("01260", "CJ")]
    assert [path for _, path, _ in house.calls] == ["/x12"] * 4
    assert EligibilityCheck.objects.filter(verification=verification).count() == 2


# The coordinator on the phone --------------------------------------------------------------


def test_the_family_hears_plain_words():
    verification, _ = checked(member_id="W1234-CARVEOUT")
    record = record_of(verification)
    record.iop_network = "in"
    words = " ".join(family_summary(record, payer="Aetna"))
    assert "IOP: we are in network; your plan pays 80% after a $1,500 deductible" in words
    assert "Your deductible is $1,500; $600 met so far, $900 to go." in words
    assert "we get the plan's approval before you start (prior authorization)" in words
    assert "Out of network, your plan pays 50% after a separate $4,000 deductible." in words
    assert family_summary(BenefitsVerification(verification=verification)) == []


def test_a_coordinator_completes_it_on_the_benefits_page_and_it_is_audited():
    verification, lead = checked()
    coord = coordinator()
    client = login(Client(), coord)
    page = client.get(page_url(verification))
    assert page.status_code == 200
    text = page.content.decode()
    assert "To read to the family" in text and "Electronic (271), checked" in text
    assert "The patient&#x27;s share for IOP after the deductible" in text  # help text on the field
    view = AuditEvent.objects.filter(action="view", object_id=str(lead.pk)).latest("pk")
    assert view.detail == f"benefits insurance={verification.pk}"

    form = {name: "" for name in ("payer_reference", "payer_representative", "notes")}
    form.update(
        {
            "action": "complete",
            "iop_network": "in",
            "iop_coinsurance": "20",
            "deductible_individual": "1500",
            "deductible_individual_met": "400",
            "payer_reference": "CALL-2231",
            "payer_representative": "Dana",
        }
    )
    response = client.post(page_url(verification), form)
    assert response.status_code == 302
    record = record_of(verification)
    assert record.status == BenefitsStatus.COMPLETE and record.completed_by == coord
    assert record.iop_network == "in" and record.source_of("iop_network").phone_verified
    assert record.payer_reference == "CALL-2231"
    change = AuditEvent.objects.filter(action="change").latest("pk")
    assert change.detail == f"benefits_complete insurance={verification.pk}"
    assert "CALL-2231" not in change.detail and "Kim" not in change.detail
    page = client.get(page_url(verification)).content.decode()
    assert "Phone-verified by" in page


def test_completing_needs_the_payers_reference_number():
    verification, _ = checked()
    client = login(Client(), coordinator())
    response = client.post(page_url(verification), {"action": "complete", "iop_network": "in"})
    assert response.status_code == 400
    assert record_of(verification).status != BenefitsStatus.COMPLETE


def test_figures_are_encrypted_at_rest():
    verification, _ = checked()
    record = record_of(verification)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT deductible_individual, review_by FROM admissions_benefitsverification WHERE id = %s",
            [record.pk],
        )
        deductible, _ = cursor.fetchone()
    assert "1500" not in deductible and deductible != ""


# The work queue ---------------------------------------------------------------------------


def test_the_queue_lists_unfinished_requests_oldest_first_with_who_holds_each():
    now = timezone.now()
    newest, _ = make_insurance()
    oldest, _ = make_insurance()
    middle, _ = make_insurance()
    finished, _ = make_insurance()
    closed, closed_lead = make_insurance()
    for verification, days in ((oldest, 5), (middle, 3), (newest, 1), (finished, 9), (closed, 8)):
        InsuranceVerification.objects.filter(pk=verification.pk).update(
            submitted_at=now - datetime.timedelta(days=days)
        )
    ana = coordinator("ana", first_name="Ana", last_name="Ruiz")
    benefits_claim(verification=middle, actor=ana)
    benefits_save(verification=finished, actor=ana, figures={}, call={"payer_reference": "R1"}, complete=True)
    lead_status_change(
        lead=closed_lead, to_status=LeadStatus.DECLINED, actor=ana, reason="Chose another program"
    )

    client = login(Client(), coordinator("ben"))
    text = client.get(QUEUE_URL).content.decode()
    order = [text.index(f"Lead {v.lead_id}:") for v in (oldest, middle, newest)]
    assert order == sorted(order)
    assert f"Lead {finished.lead_id}:" not in text and f"Lead {closed.lead_id}:" not in text
    assert "held by Ana Ruiz" in text and "nobody holds it" in text
    audit = AuditEvent.objects.filter(object_type="admissions.benefitsverification").latest("pk")
    assert audit.detail == "queue; rows=3"

    # Ben takes the oldest; Ana's cannot be taken from her except by a manager.
    assert client.post(page_url(oldest), {"action": "claim"}).status_code == 302
    assert record_of(oldest).held_by.username == "ben"
    assert record_of(oldest).status == BenefitsStatus.IN_PROGRESS
    with pytest.raises(PermissionDenied):
        benefits_claim(verification=middle, actor=coordinator("cleo"))
    benefits_claim(verification=middle, actor=manager("boss"))
    assert record_of(middle).held_by.username == "boss"
    notes = list(LeadEvent.objects.filter(kind=LeadEvent.Kind.BENEFITS).values_list("note", flat=True))
    assert "Benefits verification taken by boss (from Ana Ruiz)." in notes


def test_the_lead_page_links_to_the_benefits_record():
    verification, lead = checked()
    text = login(Client(), coordinator()).get(reverse("admin:admissions_lead_change", args=[lead.pk]))
    text = text.content.decode()
    assert "Benefits verification" in text and page_url(verification) in text
    assert "your plan pays 80% after a $1,500 deductible" in text


# Roles and retention ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("coordinator", 200), ("manager", 200), ("content editor", 403), ("staff without a role", 403)],
)
def test_who_may_open_benefits(role, status):
    verification, _ = checked()
    user = {
        "coordinator": lambda: coordinator("c"),
        "manager": lambda: manager("m"),
        "content editor": lambda: content_editor("e"),
        "staff without a role": lambda: make_user("n"),
    }[role]()
    client = login(Client(), user)
    assert client.get(page_url(verification)).status_code == status
    assert client.get(QUEUE_URL).status_code == status
    posted = client.post(page_url(verification), {"action": "claim"})
    assert posted.status_code == (302 if status == 200 else 403)


def test_a_reader_without_the_change_permission_cannot_edit():
    from django.contrib.auth.models import Permission

    verification, _ = checked()
    reader = make_user("auditor")
    reader.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="admissions", codename__in=["view_lead", "view_benefitsverification"]
        )
    )
    client = login(Client(), reader)
    page = client.get(page_url(verification))
    assert page.status_code == 200 and 'name="action" value="save"' not in page.content.decode()
    assert client.post(page_url(verification), {"action": "save"}).status_code == 403


def test_purging_a_lead_erases_its_benefits(settings):
    verification, lead = checked(member_id="W1234-CARVEOUT")
    assert BenefitsVerification.objects.filter(verification=verification).exists()
    long_ago = timezone.now() - datetime.timedelta(days=400)
    lead.events.update(at=long_ago)
    InsuranceVerification.objects.filter(pk=verification.pk).update(submitted_at=long_ago)
    type(lead).objects.filter(pk=lead.pk).update(last_activity_at=long_ago, received_at=long_ago)
    call_command("purge_leads", days=90, stdout=io.StringIO())
    assert not BenefitsVerification.objects.exists() and not EligibilityCheck.objects.exists()
