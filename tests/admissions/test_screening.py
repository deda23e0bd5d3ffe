"""Issue 11, pre-admission screening: the screen a coordinator fills in on the
call, the crisis protocol and the on-call alert (no patient data in it), the
detox flag, the suggested level of care and the clinician's sign-off, and the
same care as the rest of the lead (encrypted, audited, purged, all or nothing)."""

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from admissions.models import (
    AuditEvent,
    ConsultationRequest,
    Lead,
    LeadEvent,
    PreAdmissionScreening,
    ReferralPartner,
    ScreeningDecision,
    ScreeningSubstance,
)
from admissions.services import screening as service

from .factories import coordinator, login, make_consultation, manager
from .screening_support import NO_RISK, clinician, make_screening, new_url, page_url, post_data, scores

pytestmark = pytest.mark.django_db

ONCALL = "oncall-supervisor@example.test"
PROTOCOL_SHOWN = '<section id="crisis-protocol" class="screening-crisis" aria-labelledby="crisis-heading">'
PROTOCOL_HIDDEN = (
    '<section id="crisis-protocol" class="screening-crisis" aria-labelledby="crisis-heading" hidden>'
)


@pytest.fixture(autouse=True)
def _oncall(settings):
    settings.ADMISSIONS_CLINICAL_ONCALL_EMAIL = ONCALL


def _post(client, url, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url, data)


# The crisis protocol and the on-call alert ---------------------------------------------


def test_a_positive_suicide_risk_answer_shows_the_protocol_and_alerts_without_patient_data(
    django_capture_on_commit_callbacks, monkeypatch
):
    canaries = [
        "Canaryscreenqx",
        "Canarysurnameqx",
        "5550188",
        "555-0188",
        "canary.screen.qx",
        "Canarynoteqx",
    ]
    _, lead = make_consultation(
        first_name="Canaryscreenqx",
        last_name="Canarysurnameqx",
        phone="+19495550188",
        email="canary.screen.qx@example.org",
    )
    queued = []
    real_task = service.screening_crisis_alert_send

    class Recorder:
        backend = real_task.backend

        def enqueue(self, *args):
            queued.append(args)
            return real_task.enqueue(*args)

    monkeypatch.setattr(service, "screening_crisis_alert_send", Recorder())
    client = login(Client(), coordinator())
    answers = {
        **NO_RISK,
        "asq_better_off_dead": "yes",
        "asq_thoughts_right_now": "no",
        "mental_health": "Canarynoteqx depression",
    }
    substances = [{"substance": "opioids", "which_one": "Canarynoteqx pills", "route": "smoked"}]
    response = _post(
        client, new_url(lead), post_data(answers, substances), django_capture_on_commit_callbacks
    )

    screening = PreAdmissionScreening.objects.get(lead=lead)
    assert response.status_code == 302 and response["Location"].endswith("#crisis-protocol")
    # Server-rendered on the page after the save: works with JavaScript off.
    page = client.get(page_url(screening)).content.decode()
    assert PROTOCOL_SHOWN in page
    assert 'href="tel:988"' in page and 'href="tel:911"' in page
    assert "The on-call clinical supervisor was emailed" in page

    (alert,) = mail.outbox
    assert alert.to == [ONCALL]
    assert f"lead {lead.pk}" in alert.subject
    assert page_url(screening) in alert.body
    whole = "\n".join([alert.subject, alert.body, *map(str, alert.extra_headers.values()), *alert.to])
    for canary in canaries:
        assert canary.lower() not in whole.lower()
    assert queued == [(screening.pk,)]  # the task carries the screen's id only
    screening.refresh_from_db()
    assert screening.crisis_alert_sent_at is not None
    note = lead.events.filter(kind=LeadEvent.Kind.SCREENING).get().note
    assert "Suicide-risk screen positive" in note and "on-call clinical supervisor alerted" in note


def test_the_alert_goes_once_per_screen_and_says_when_it_is_acute(django_capture_on_commit_callbacks):
    _, lead = make_consultation()
    user = coordinator()
    with django_capture_on_commit_callbacks(execute=True):
        screening = make_screening(lead, user, {**NO_RISK, "asq_wished_dead": "declined"})
    with django_capture_on_commit_callbacks(execute=True):
        service.screening_save(
            lead=lead,
            screening=screening,
            actor=user,
            answers={"asq_thoughts_right_now": "yes"},
            substances=[],
        )
    assert len(mail.outbox) == 1
    assert "not acute" in mail.outbox[0].body.lower()
    # The timeline says it turned acute.
    assert "now acute" in lead.events.filter(kind=LeadEvent.Kind.SCREENING).first().note


def test_no_protocol_and_no_alert_when_every_answer_is_no(django_capture_on_commit_callbacks):
    _, lead = make_consultation()
    client = login(Client(), coordinator())
    response = _post(client, new_url(lead), post_data(NO_RISK), django_capture_on_commit_callbacks)
    assert response.status_code == 302 and "#" not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert PROTOCOL_HIDDEN in page  # there for the script to show, hidden
    assert mail.outbox == []


def test_the_protocol_shows_even_when_another_field_stops_the_save(django_capture_on_commit_callbacks):
    _, lead = make_consultation()
    client = login(Client(), coordinator())
    answers = {**NO_RISK, "asq_thoughts_of_killing_self": "yes", "asq_thoughts_right_now": "yes"}
    bad_row = [{"substance": "alcohol", "last_used_on": "2999-01-01"}]
    response = _post(client, new_url(lead), post_data(answers, bad_row), django_capture_on_commit_callbacks)
    assert response.status_code == 400
    page = response.content.decode()
    assert PROTOCOL_SHOWN in page
    assert 'id="crisis-acute"' in page and "data-when-acute hidden" not in page
    assert "Saving this screen emails the on-call clinical supervisor" in page
    assert not PreAdmissionScreening.objects.exists() and mail.outbox == []


def test_without_an_oncall_address_the_page_says_to_phone(settings, django_capture_on_commit_callbacks):
    settings.ADMISSIONS_CLINICAL_ONCALL_EMAIL = ""
    _, lead = make_consultation()
    client = login(Client(), coordinator())
    response = _post(
        client, new_url(lead), post_data({"asq_ever_tried": "yes"}), django_capture_on_commit_callbacks
    )
    page = client.get(response["Location"]).content.decode()
    assert "phone the on-call clinical supervisor yourself" in page
    assert mail.outbox == []


# Bad input: an error next to the field, nothing stored ---------------------------------


@pytest.mark.parametrize(
    ("answers", "row", "field_id", "message"),
    [
        ({"biomedical_score": "7"}, None, "id_biomedical_score_error", "Select a valid choice"),
        ({"asq_wished_dead": "maybe"}, None, "id_asq_wished_dead_error", "Select a valid choice"),
        ({"medications": "x" * 2001}, None, "id_medications_error", "at most 2000 characters"),
        (
            {},
            {"substance": "alcohol", "last_used_on": "2999-01-01"},
            "id_substances-0-last_used_on_error",
            "future",
        ),
        ({}, {"amount": "a fifth a day"}, "id_substances-0-substance_error", "Choose the substance"),
        (
            {},
            {"substance": "alcohol", "last_used_on": "yesterday"},
            "id_substances-0-last_used_on_error",
            "valid date",
        ),
    ],
)
def test_bad_input_is_reported_next_to_its_field_and_nothing_is_stored(answers, row, field_id, message):
    _, lead = make_consultation()
    events_before = lead.events.count()
    client = login(Client(), coordinator())
    good_row = {"substance": "cannabis", "amount": "a gram"}
    rows = [row, good_row] if row else [good_row]
    response = client.post(new_url(lead), post_data({**NO_RISK, **scores(1, 1, 1, 1, 1, 1), **answers}, rows))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page
    start = page.index(f'id="{field_id}"')
    assert message in page[start : start + 300]
    assert not PreAdmissionScreening.objects.exists() and not ScreeningSubstance.objects.exists()
    assert lead.events.count() == events_before
    # What was typed is still there to correct.
    assert "a gram" in page


def test_a_service_error_midway_rolls_everything_back():
    _, lead = make_consultation()
    with pytest.raises(ValidationError):
        service.screening_save(
            lead=lead,
            actor=coordinator(),
            answers={**NO_RISK, "mental_health": "fine"},
            substances=[{"substance": "alcohol"}, {"substance": "not-a-substance"}],
        )
    assert not PreAdmissionScreening.objects.exists() and not ScreeningSubstance.objects.exists()
    assert not lead.events.filter(kind=LeadEvent.Kind.SCREENING).exists()


# The detox flag and the suggestion ----------------------------------------------------


def test_high_withdrawal_risk_flags_detox_on_the_page_and_the_timeline():
    _, lead = make_consultation()
    client = login(Client(), coordinator())
    answers = {**NO_RISK, **scores(2, 1, 1, 1, 2, 1), "withdrawal_symptoms_now": "yes"}
    response = client.post(new_url(lead), post_data(answers, [{"substance": "alcohol", "amount": "a fifth"}]))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "High withdrawal risk: refer to withdrawal management (detox) first." in page
    assert "Refer out: withdrawal management (detox) first" in page  # the suggestion
    event = lead.events.get(kind=LeadEvent.Kind.SCREENING)
    assert "High withdrawal risk" in event.note
    lead_page = client.get(reverse("admin:admissions_lead_change", args=[lead.pk])).content.decode()
    assert "High risk: refer to detox first" in lead_page


def test_the_same_use_without_withdrawal_signs_gets_an_outpatient_suggestion():
    _, lead = make_consultation()
    screening = make_screening(
        lead,
        coordinator(),
        {
            **NO_RISK,
            **scores(1, 0, 2, 1, 1, 1),
            "withdrawal_symptoms_now": "no",
            "withdrawal_seizures_or_dts": "no",
        },
        [{"substance": "alcohol"}],
    )
    findings = service.screening_findings(screening)
    assert not findings.detox_flag
    assert findings.suggestion.level == "iop"


# Sign-off: only a clinician -----------------------------------------------------------


@pytest.fixture
def scored_screening():
    _, lead = make_consultation()
    return make_screening(lead, coordinator("coord"), {**NO_RISK, **scores(1, 1, 2, 1, 2, 1)})


@pytest.mark.parametrize("who", ["coordinator", "manager"])
def test_a_coordinator_or_manager_cannot_sign_off(scored_screening, who):
    user = coordinator("other") if who == "coordinator" else manager()
    client = login(Client(), user)
    data = {"action": "sign_off", "sign_off-decision": ScreeningDecision.ACCEPT_IOP}
    response = client.post(page_url(scored_screening), data)
    assert response.status_code == 403
    page = client.get(page_url(scored_screening)).content.decode()
    assert "Clinician's sign-off" not in page
    with pytest.raises(PermissionDenied):
        service.screening_sign_off(
            screening=scored_screening, actor=user, decision=ScreeningDecision.ACCEPT_IOP
        )
    scored_screening.refresh_from_db()
    assert not scored_screening.is_signed_off


def test_a_clinician_signs_off_and_it_is_on_the_timeline(scored_screening):
    doctor = clinician(first_name="Dana", last_name="Reyes")
    client = login(Client(), doctor)
    page = client.get(page_url(scored_screening)).content.decode()
    assert "Clinician's sign-off" in page
    assert (
        'value="accept_iop" required id="id_sign_off-decision_1" checked' in page
    )  # the suggestion preselected
    response = client.post(
        page_url(scored_screening), {"action": "sign_off", "sign_off-decision": ScreeningDecision.ACCEPT_IOP}
    )
    assert response.status_code == 302
    scored_screening.refresh_from_db()
    assert scored_screening.decision == ScreeningDecision.ACCEPT_IOP
    assert scored_screening.signed_off_by == doctor and scored_screening.suggested_at_sign_off == "iop"
    event = scored_screening.lead.events.filter(kind=LeadEvent.Kind.SCREENING).first()
    assert event.actor == doctor
    assert "signed off: Accept for intensive outpatient (IOP)" in event.note
    lead = Lead.objects.get(pk=scored_screening.lead_id)
    # Starting the screen moved it to Screening (the path, services.scheduling's
    # issue part); the sign-off itself moves nothing.
    assert lead.status == "screening"
    # Final: read-only now, no second sign-off, no more saves.
    page = client.get(page_url(scored_screening)).content.decode()
    assert "Save screening" not in page and "Signed off" in page and "Dana Reyes" in page
    with pytest.raises(ValidationError):
        service.screening_save(
            lead=lead, screening=scored_screening, actor=doctor, answers={"medications": "x"}, substances=[]
        )


def test_refer_out_needs_a_partner_and_a_reason_when_it_differs_from_the_suggestion(scored_screening):
    client = login(Client(), clinician())
    response = client.post(
        page_url(scored_screening), {"action": "sign_off", "sign_off-decision": "refer_out"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    start = page.index('id="id_sign_off-referred_to_error"')
    assert "Choose where the person is referred to." in page[start : start + 200]
    partner = ReferralPartner.objects.create(name="Harbor Detox", kind=ReferralPartner.Kind.DETOX)
    data = {"action": "sign_off", "sign_off-decision": "refer_out", "sign_off-referred_to": partner.pk}
    response = client.post(page_url(scored_screening), data)
    assert response.status_code == 400
    assert (
        "The decision differs from the suggestion (Intensive outpatient (IOP)): say why."
        in response.content.decode()
    )
    response = client.post(
        page_url(scored_screening), {**data, "sign_off-note": "Needs a medical detox first."}
    )
    assert response.status_code == 302
    scored_screening.refresh_from_db()
    assert scored_screening.referred_to == partner
    assert "Refer out to Harbor Detox" in scored_screening.lead.events.first().note


def test_no_sign_off_before_all_six_dimensions_are_scored():
    _, lead = make_consultation()
    screening = make_screening(lead, coordinator(), {**NO_RISK, "biomedical_score": "1"})
    with pytest.raises(ValidationError) as error:
        service.screening_sign_off(
            screening=screening, actor=clinician(), decision=ScreeningDecision.ACCEPT_OP
        )
    assert "Score all six ASAM dimensions" in str(error.value)


# Patient data: encrypted, audited, kept per screen, purged with the lead ---------------


def test_answers_are_encrypted_at_rest():
    _, lead = make_consultation()
    screening = make_screening(
        lead,
        coordinator(),
        {"mental_health": "Canarymentalqx", "asq_wished_dead": "yes", "biomedical_score": "3"},
        [{"substance": "opioids", "which_one": "Canarypillqx", "last_used_on": datetime.date(2025, 1, 2)}],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT mental_health, asq_wished_dead, biomedical_score FROM admissions_preadmissionscreening "
            "WHERE id = %s",
            [screening.pk],
        )
        row = cursor.fetchone()
        cursor.execute(
            "SELECT substance, which_one, last_used_on FROM admissions_screeningsubstance WHERE screening_id = %s",
            [screening.pk],
        )
        row += cursor.fetchone()
    for stored, plain in zip(
        row, ["Canarymentalqx", "yes", "3", "opioids", "Canarypillqx", "2025-01-02"], strict=True
    ):
        # One sealed envelope per column (a short value may happen to appear in base64).
        assert stored.startswith("phi1.") and stored.count(".") == 2
        assert len(plain) < 5 or plain not in stored
    screening.refresh_from_db()
    assert (
        screening.mental_health == "Canarymentalqx" and screening.substances.get().which_one == "Canarypillqx"
    )


def test_each_view_and_save_is_audited_without_answers():
    _, lead = make_consultation()
    client = login(Client(), coordinator())
    client.get(new_url(lead))
    response = client.post(new_url(lead), post_data({**NO_RISK, "legal_situation": "Canarylegalqx"}))
    client.get(response["Location"])
    screening = PreAdmissionScreening.objects.get()
    trail = list(
        AuditEvent.objects.filter(object_type="admissions.lead", object_id=str(lead.pk))
        .order_by("id")
        .values_list("action", "detail")
    )
    assert trail == [
        ("view", "screening new"),
        ("change", f"screening {screening.pk}"),
        ("view", f"screening {screening.pk}"),
    ]
    assert not AuditEvent.objects.filter(detail__icontains="Canary").exists()


def test_a_lead_screened_twice_keeps_both_and_the_lead_page_shows_the_latest():
    _, lead = make_consultation()
    user = coordinator()
    first = make_screening(lead, user, {**NO_RISK, **scores(0, 0, 0, 0, 0, 0)})
    service.screening_sign_off(screening=first, actor=clinician(), decision=ScreeningDecision.ACCEPT_OP)
    second = make_screening(lead, user, {"asq_wished_dead": "no"})
    assert list(lead.screenings.order_by("pk")) == [first, second]
    page = login(Client(), user).get(reverse("admin:admissions_lead_change", args=[lead.pk])).content.decode()
    assert f"Continue Screening {second.pk}" in page
    assert page_url(second) in page
    other = login(Client(), user).get(page_url(second)).content.decode()
    assert page_url(first) in other  # the earlier one is listed


def test_the_lead_page_offers_to_start_a_screening():
    _, lead = make_consultation()
    page = login(Client(), coordinator()).get(reverse("admin:admissions_lead_change", args=[lead.pk]))
    assert "Start the screening" in page.content.decode() and new_url(lead) in page.content.decode()


def test_the_purge_erases_screenings_with_their_lead():
    _, lead = make_consultation()
    make_screening(lead, coordinator(), {"mental_health": "x"}, [{"substance": "alcohol"}])
    long_ago = timezone.now() - datetime.timedelta(days=400)
    lead.events.update(at=long_ago)
    ConsultationRequest.objects.filter(lead=lead).update(submitted_at=long_ago)
    PreAdmissionScreening.objects.filter(lead=lead).update(updated_at=long_ago, started_at=long_ago)
    Lead.objects.filter(pk=lead.pk).update(last_activity_at=long_ago, received_at=long_ago)
    call_command("purge_leads", days=90, stdout=io.StringIO())
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert not PreAdmissionScreening.objects.exists() and not ScreeningSubstance.objects.exists()


def test_a_recently_saved_screening_keeps_its_lead_from_the_purge():
    _, lead = make_consultation()
    make_screening(lead, coordinator(), {"mental_health": "x"})
    long_ago = timezone.now() - datetime.timedelta(days=400)
    lead.events.update(at=long_ago)
    ConsultationRequest.objects.filter(lead=lead).update(submitted_at=long_ago)
    Lead.objects.filter(pk=lead.pk).update(last_activity_at=long_ago, received_at=long_ago)
    call_command("purge_leads", days=90, stdout=io.StringIO())
    assert PreAdmissionScreening.objects.filter(lead=lead).exists()


def test_a_second_save_edits_the_list_of_substances_and_notes_who_saved():
    _, lead = make_consultation()
    screening = make_screening(
        lead, coordinator("first"), NO_RISK, [{"substance": "alcohol"}, {"substance": "cannabis"}]
    )
    alcohol, cannabis = screening.substances.all()
    client = login(Client(), coordinator("second"))
    data = post_data({**NO_RISK, "housing_situation": "With parents"}, [{"substance": "stimulants"}])
    # The two stored rows come first on the page; the first is removed, the second kept.
    data = {k: v for k, v in data.items() if not k.startswith("substances-")}
    rows = [
        {"id": alcohol.pk, "substance": "alcohol", "DELETE": "on"},
        {"id": cannabis.pk, "substance": "cannabis", "amount": "a joint"},
        {"substance": "stimulants"},
        {},
    ]
    data.update(
        {
            "substances-TOTAL_FORMS": "4",
            "substances-INITIAL_FORMS": "2",
            "substances-MIN_NUM_FORMS": "0",
            "substances-MAX_NUM_FORMS": "1000",
        }
    )
    for index, row in enumerate(rows):
        for name in (
            "id",
            "substance",
            "which_one",
            "route",
            "amount",
            "frequency",
            "last_used_on",
            "DELETE",
        ):
            if name in row or name != "DELETE":
                data[f"substances-{index}-{name}"] = row.get(name, "")
    response = client.post(page_url(screening), data)
    assert response.status_code == 302
    screening.refresh_from_db()
    assert [(s.substance, s.amount) for s in screening.substances.all()] == [
        ("cannabis", "a joint"),
        ("stimulants", ""),
    ]
    assert screening.housing_situation == "With parents"
    page = client.get(page_url(screening)).content.decode()
    assert "by first; last saved" in page and "by second." in page
    assert [e.note for e in lead.events.filter(kind=LeadEvent.Kind.SCREENING)][
        0
    ] == f"Screening {screening.pk} saved."


def test_a_saved_positive_screen_has_a_banner_at_the_top(django_capture_on_commit_callbacks):
    _, lead = make_consultation()
    with django_capture_on_commit_callbacks(execute=True):
        screening = make_screening(lead, coordinator(), {"asq_thoughts_right_now": "yes"})
    page = login(Client(), coordinator("c2")).get(page_url(screening)).content.decode()
    banner = page.index("Suicide-risk screen positive (acute)")
    assert banner < page.index('id="substances"') < page.index(PROTOCOL_SHOWN)
    assert 'id="crisis-acute">' in page  # the 911 step, shown


def test_on_the_database_queue_the_crisis_alert_commits_with_the_screen(settings):
    """Issue 16's rule for every alert: the task row is written in the same
    transaction as the screen, so nothing after the commit can lose it."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.ADMISSIONS_CLINICAL_ONCALL_EMAIL = "oncall@example.test"
    lead = make_consultation()[1]
    # No on-commit callback runs here (the test's transaction never commits):
    # the task row must exist anyway.
    screening = make_screening(lead, coordinator(), answers={**NO_RISK, "asq_wished_dead": "yes"})
    (queued,) = DBTaskResult.objects.filter(task_path__endswith="screening_crisis_alert_send")
    assert queued.args_kwargs["args"] == [screening.pk]
