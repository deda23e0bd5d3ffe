"""Hand-off to the clinical record (issue 11): an admitted lead as a FHIR R4
Bundle that the FHIR models accept, holding nothing the lead lacks, written to
an owner-only file, audited, and logged without patient data."""

import datetime
import json
import logging
import stat

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from admissions.handoff.export import bundle_for_lead, export_handoff
from admissions.handoff.fhir import PART2_NOTICE, handoff_bundle
from admissions.handoff.record import (
    Admission,
    HandoffRecord,
    NotAdmitted,
    Person,
    Screening,
    ScreeningItem,
    handoff_record,
)
from admissions.models import AuditAction, AuditEvent, LeadStatus
from admissions.services.pipeline import lead_status_change

from .factories import coordinator, login, make_consultation, make_insurance, manager

pytestmark = pytest.mark.django_db


def admitted(lead):
    lead_status_change(lead=lead, to_status=LeadStatus.ADMITTED, actor=manager("admitting-manager"))
    lead.refresh_from_db()
    return lead


def resources(bundle, kind):
    return [entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == kind]


@pytest.fixture
def handoff_dir(tmp_path, settings):
    settings.ADMISSIONS_HANDOFF_DIR = tmp_path / "handoff"
    return settings.ADMISSIONS_HANDOFF_DIR


def test_a_caller_for_their_son_becomes_a_related_person_and_the_son_the_patient():
    _, lead = make_consultation(
        first_name="Maria",
        last_name="Lopez",
        patient_first_name="Diego",
        patient_last_name="Lopez",
        caller_relation="Mother",
        email="maria@example.com",
    )
    bundle = bundle_for_lead(admitted(lead))
    Bundle.model_validate(bundle)

    (patient,) = resources(bundle, "Patient")
    assert patient["name"] == [{"use": "official", "family": "Lopez", "given": ["Diego"]}]
    # The phone and email are the mother's: not on the patient.
    assert "telecom" not in patient and "birthDate" not in patient
    (caller,) = resources(bundle, "RelatedPerson")
    assert caller["name"][0]["given"] == ["Maria"] and caller["relationship"] == [{"text": "Mother"}]
    assert {t["system"] for t in caller["telecom"]} == {"phone", "email"}
    assert caller["patient"]["reference"] == f"urn:uuid:{patient['id']}"
    # No insurance request: no coverage, nothing made up.
    assert resources(bundle, "Coverage") == []


def test_an_insured_patient_calling_for_themselves_gets_coverage_and_birth_date():
    _, lead = make_insurance(email="daniel@example.com", preferred_language="es")
    bundle = bundle_for_lead(admitted(lead))
    Bundle.model_validate(bundle)

    (patient,) = resources(bundle, "Patient")
    assert patient["birthDate"] == "1985-04-27" and patient["name"][0]["family"] == "Kim"
    assert {t["value"] for t in patient["telecom"]} == {lead.phone, "daniel@example.com"}
    assert patient["communication"][0]["language"]["coding"][0]["code"] == "es"
    assert patient["identifier"][0]["value"] == str(lead.pk)
    (coverage,) = resources(bundle, "Coverage")
    assert coverage["subscriberId"] == "W123456789" and coverage["payor"] == [{"display": "Aetna"}]
    assert coverage["relationship"]["coding"][0]["code"] == "self"
    assert coverage["subscriber"] == coverage["beneficiary"] == {"reference": f"urn:uuid:{patient['id']}"}
    assert coverage["class"][0]["value"] == "GRP-001"
    assert resources(bundle, "RelatedPerson") == []


def test_a_policy_held_by_someone_else_names_them_as_subscriber():
    _, lead = make_insurance(
        policy_holder="someone_else",
        holder_first_name="Grace",
        holder_last_name="Kim",
        holder_date_of_birth=datetime.date(1960, 1, 2),
        holder_relationship="Mother",
    )
    bundle = bundle_for_lead(admitted(lead))
    Bundle.model_validate(bundle)
    (holder,) = resources(bundle, "RelatedPerson")
    (coverage,) = resources(bundle, "Coverage")
    assert holder["birthDate"] == "1960-01-02" and holder["name"][0]["given"] == ["Grace"]
    assert coverage["subscriber"] == {"reference": f"urn:uuid:{holder['id']}"}
    assert coverage["relationship"]["coding"][0]["code"] == "other"


def test_every_resource_carries_the_part_2_labels_and_notice():
    _, lead = make_insurance()
    bundle = bundle_for_lead(admitted(lead))
    for meta in [bundle["meta"], *(entry["resource"]["meta"] for entry in bundle["entry"])]:
        codes = {label["code"] for label in meta["security"]}
        assert {"R", "42CFRPart2", "NORDSCLCD"} <= codes
        assert PART2_NOTICE in [tag["display"] for tag in meta["tag"]]
    assert bundle["type"] == "collection"


def test_screening_and_admission_go_in_when_known_and_validate():
    record = HandoffRecord(
        lead_id=7,
        patient=Person(first_name="Ana", last_name="Ruiz"),
        caller=None,
        insurance=None,
        admission=Admission(
            level_of_care="Intensive Outpatient (IOP)",
            start=datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC),
            with_whom="Dr. Reyes",
        ),
        screening=Screening(
            completed_at=datetime.datetime(2026, 11, 28, 10, 0, tzinfo=datetime.UTC),
            items=(
                ScreeningItem("substance-1", "Substance", "Alcohol"),
                ScreeningItem("asam-1", "ASAM dimension 1", "2"),
                ScreeningItem("unanswered", "Legal situation", ""),
            ),
        ),
    )
    bundle = handoff_bundle(record, site="https://www.example.com", now=timezone.now())
    Bundle.model_validate(bundle)
    (screening,) = resources(bundle, "QuestionnaireResponse")
    assert [item["linkId"] for item in screening["item"]] == ["substance-1", "asam-1"]
    (admission,) = resources(bundle, "ServiceRequest")
    assert admission["occurrenceDateTime"] == "2026-12-01T09:00:00+00:00"
    assert "Intensive Outpatient" in admission["code"]["text"]


def test_the_fhir_models_refuse_what_is_not_fhir():
    _, lead = make_insurance()
    bundle = bundle_for_lead(admitted(lead))
    bundle["entry"][0]["resource"]["birthDate"] = "1985-13-45"
    with pytest.raises(ValueError):
        Bundle.model_validate(bundle)


def test_a_lead_not_admitted_is_not_handed_off(handoff_dir):
    _, lead = make_consultation()
    with pytest.raises(NotAdmitted):
        handoff_record(lead)
    with pytest.raises(CommandError, match="not admitted"):
        call_command("export_fhir", lead.pk)
    assert not handoff_dir.exists() or not any(handoff_dir.iterdir())


def test_the_command_writes_an_owner_only_file_audits_and_logs_no_patient_data(handoff_dir, capsys, caplog):
    _, lead = make_insurance(first_name="Canaryfirst", last_name="Canarylast")
    admitted(lead)
    with caplog.at_level(logging.INFO):
        call_command("export_fhir", lead.pk)
    path = handoff_dir / capsys.readouterr().out.strip()
    assert path.parent == handoff_dir and path.name.startswith(f"lead-{lead.pk}-")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(handoff_dir.stat().st_mode) == 0o700
    bundle = json.loads(path.read_text())
    Bundle.model_validate(bundle)
    assert resources(bundle, "Patient")[0]["name"][0]["family"] == "Canarylast"
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(lead.pk)).count() == 1
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert str(path) in logged
    for secret in ("Canary", "W123456789", lead.phone):
        assert secret not in logged and secret not in path.name


def test_the_staff_button_needs_the_permission_and_writes_the_file(handoff_dir):
    _, lead = make_insurance()
    admitted(lead)
    url = reverse("admin:admissions_lead_handoff", args=[lead.pk])
    page = reverse("admin:admissions_lead_change", args=[lead.pk])

    as_coordinator = login(Client(), coordinator("handoff-coordinator"))
    assert "Write the hand-off file" not in as_coordinator.get(page).content.decode()
    assert as_coordinator.post(url).status_code == 403
    assert not handoff_dir.exists()

    as_manager = login(Client(), manager("handoff-manager"))
    assert "Write the hand-off file" in as_manager.get(page).content.decode()
    assert as_manager.get(url).status_code == 405
    response = as_manager.post(url, follow=True)
    assert response.status_code == 200 and "Hand-off file written" in response.content.decode()
    (written,) = handoff_dir.iterdir()
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_id=str(lead.pk))
    assert event.user.username == "handoff-manager"


def test_two_hand_offs_never_overwrite_each_other(handoff_dir):
    _, lead = make_insurance()
    admitted(lead)
    first = export_handoff(lead=lead)
    second = export_handoff(lead=lead)
    assert first != second and first.exists() and second.exists()


def test_the_signed_off_screening_goes_in_as_a_questionnaire_response():
    from admissions.services.screening import screening_sign_off

    from .screening_support import NO_RISK, clinician, make_screening, scores

    _, lead = make_insurance()
    screening = make_screening(
        lead,
        manager("screening-manager"),
        answers={**NO_RISK, **scores(1, 1, 2, 1, 2, 1), "housing_situation": "Lives with his sister"},
        substances=[{"substance": "alcohol", "which_one": "vodka", "amount": "a fifth"}],
    )
    screening_sign_off(screening=screening, actor=clinician("handoff-clinician"), decision="accept_iop")
    bundle = bundle_for_lead(admitted(lead))
    Bundle.model_validate(bundle)

    (response,) = resources(bundle, "QuestionnaireResponse")
    answers = {item["linkId"]: item["answer"][0]["valueString"] for item in response["item"]}
    assert answers["substance-1"].startswith("Alcohol") and "vodka" in answers["substance-1"]
    assert answers["housing_situation"] == "Lives with his sister"
    assert answers["asq_wished_dead"] == "No" and "decision" in answers
    # Questions nobody answered are left out, not sent empty.
    assert "medications" not in answers


def test_a_booked_admission_and_its_seat_go_in_as_service_request_and_appointment():
    from admissions.models import AppointmentKind, AppointmentMode, ProgramTrack, TrackLevel
    from admissions.services import scheduling

    coord = coordinator("handoff-booker", first_name="Rosa", last_name="Vega")
    _, lead = make_insurance()
    start = timezone.now() + datetime.timedelta(days=2)
    scheduling.appointment_book(
        lead=lead,
        actor=coord,
        kind=AppointmentKind.ADMISSION,
        starts_at=start,
        with_whom=coord,
        mode=AppointmentMode.TELEHEALTH,
        minutes=90,
    )
    evening = ProgramTrack.objects.create(name="IOP evening", level=TrackLevel.IOP, seats=4)
    assert scheduling.lead_admit(lead=lead, track=evening, actor=coord, starts_on=start.date()).admitted
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ADMITTED
    bundle = bundle_for_lead(lead)
    Bundle.model_validate(bundle)

    (order,) = resources(bundle, "ServiceRequest")
    (appointment,) = resources(bundle, "Appointment")
    assert "IOP evening" in order["code"]["text"] and "Intensive outpatient" in order["code"]["text"]
    assert appointment["status"] == "booked" and appointment["basedOn"][0]["reference"].endswith(order["id"])
    length = datetime.datetime.fromisoformat(appointment["end"]) - datetime.datetime.fromisoformat(
        appointment["start"]
    )
    assert length == datetime.timedelta(minutes=90) and "(telehealth)" in appointment["description"]
    assert {"display": "Rosa Vega"} in [p["actor"] for p in appointment["participant"]]


def test_without_a_booking_there_is_no_appointment_only_the_order():
    _, lead = make_insurance()
    bundle = bundle_for_lead(admitted(lead))
    assert resources(bundle, "Appointment") == []
    (order,) = resources(bundle, "ServiceRequest")
    assert "occurrenceDateTime" not in order
