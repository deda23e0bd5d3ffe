"""The lead pipeline services: every change is an event by a named user, bad
input changes nothing, and roles limit who may move a lead between people."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from admissions.models import Lead, LeadEvent, LeadStatus, ReferralPartner
from admissions.services.pipeline import (
    NOTE_MAX_LENGTH,
    lead_assign,
    lead_call_attempt_record,
    lead_follow_up_set,
    lead_note_add,
    lead_status_change,
)

from .factories import content_editor, coordinator, make_consultation, make_user, manager

pytestmark = pytest.mark.django_db

Kind = LeadEvent.Kind
Outcome = LeadEvent.CallOutcome


@pytest.fixture
def lead():
    return make_consultation()[1]


@pytest.fixture
def coord():
    return coordinator("casey", first_name="Casey", last_name="Cole")


def staff_events(lead):
    return list(lead.events.exclude(kind=Kind.SUBMITTED).order_by("at", "id"))


def assert_unchanged(lead, before):
    after = Lead.objects.get(pk=lead.pk)
    for field in ("status", "close_reason", "assigned_id", "follow_up_at", "first_contact_at"):
        if field == "assigned_id":
            assert after.assigned_to_id == before.assigned_to_id
        else:
            assert getattr(after, field) == getattr(before, field), field
    assert staff_events(lead) == []


# Status ------------------------------------------------------------------------


def test_status_change_is_an_event_by_the_user(lead, coord):
    before = lead.last_activity_at
    changed = lead_status_change(lead=lead, to_status=LeadStatus.INSURANCE_VERIFICATION, actor=coord)
    assert changed.status == LeadStatus.INSURANCE_VERIFICATION
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.INSURANCE_VERIFICATION
    [event] = staff_events(lead)
    assert (event.kind, event.actor, event.from_status, event.to_status) == (
        Kind.STATUS,
        coord,
        LeadStatus.NEW,
        LeadStatus.INSURANCE_VERIFICATION,
    )
    assert changed.last_activity_at > before


@pytest.mark.parametrize("reason", ["", "   \n\t "])
@pytest.mark.parametrize("status", [LeadStatus.NOT_A_FIT, LeadStatus.SPAM, LeadStatus.UNREACHABLE])
def test_closing_without_a_reason_is_refused_and_stores_nothing(lead, coord, status, reason):
    with pytest.raises(ValidationError) as error:
        lead_status_change(lead=lead, to_status=status, actor=coord, reason=reason)
    assert "reason" in error.value.message_dict
    assert_unchanged(lead, lead)


def test_the_database_refuses_a_closed_lead_without_a_reason(lead):
    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.DECLINED, close_reason="")


def test_close_keeps_the_reason_and_reopening_clears_it_but_not_the_timeline(lead, coord):
    partner = ReferralPartner.objects.create(name="Harbor Detox", kind="detox")
    closed = lead_status_change(
        lead=lead, to_status=LeadStatus.REFERRED_OUT, actor=coord, reason="Needs detox", referred_to=partner
    )
    assert closed.referred_to == partner
    assert closed.close_reason == "Needs detox"
    reopened = lead_status_change(lead=closed, to_status=LeadStatus.CONTACT_ATTEMPTED, actor=coord)
    assert reopened.close_reason == ""
    close_event, reopen_event = staff_events(lead)
    assert close_event.note == "Needs detox"
    assert (reopen_event.from_status, reopen_event.to_status) == (
        LeadStatus.REFERRED_OUT,
        LeadStatus.CONTACT_ATTEMPTED,
    )


def test_admitted_is_a_good_ending_and_needs_no_reason(lead, coord):
    assert lead_status_change(lead=lead, to_status=LeadStatus.ADMITTED, actor=coord).status == "admitted"


@pytest.mark.parametrize("status", ["", "closed", "NEW", "admitted; drop table"])
def test_unknown_status_is_refused(lead, coord, status):
    with pytest.raises(ValidationError) as error:
        lead_status_change(lead=lead, to_status=status, actor=coord)
    assert "to_status" in error.value.message_dict
    assert_unchanged(lead, lead)


def test_moving_to_the_same_status_is_refused(lead, coord):
    with pytest.raises(ValidationError):
        lead_status_change(lead=lead, to_status=LeadStatus.NEW, actor=coord)


def test_moving_to_contacted_is_the_first_contact_once(lead, coord):
    contacted = lead_status_change(lead=lead, to_status=LeadStatus.CONTACTED, actor=coord)
    first = contacted.first_contact_at
    assert first is not None
    lead_status_change(lead=lead, to_status=LeadStatus.CONTACT_ATTEMPTED, actor=coord)
    again = lead_status_change(lead=lead, to_status=LeadStatus.CONTACTED, actor=coord)
    assert again.first_contact_at == first


def test_a_too_long_reason_is_refused(lead, coord):
    with pytest.raises(ValidationError) as error:
        lead_status_change(lead=lead, to_status="declined", actor=coord, reason="x" * (NOTE_MAX_LENGTH + 1))
    assert "reason" in error.value.message_dict
    assert_unchanged(lead, lead)


def test_nobody_changes_a_lead_anonymously(lead):
    with pytest.raises(PermissionDenied):
        lead_status_change(lead=lead, to_status=LeadStatus.CONTACTED, actor=None)
    assert_unchanged(lead, lead)


# Calls -------------------------------------------------------------------------


def test_unanswered_call_on_a_new_lead_moves_it_to_contact_attempted(lead, coord):
    updated = lead_call_attempt_record(lead=lead, actor=coord, outcome=Outcome.NO_ANSWER, note="Rang twice")
    assert updated.status == LeadStatus.CONTACT_ATTEMPTED
    assert updated.first_contact_at is None
    call, status = staff_events(lead)
    assert (call.kind, call.call_outcome, call.note, call.actor) == (
        Kind.CALL,
        "no_answer",
        "Rang twice",
        coord,
    )
    assert (status.kind, status.from_status, status.to_status) == (Kind.STATUS, "new", "contact_attempted")


def test_reaching_the_person_is_the_first_contact_and_only_the_first(lead, coord):
    lead_call_attempt_record(lead=lead, actor=coord, outcome=Outcome.VOICEMAIL)
    reached = lead_call_attempt_record(lead=lead, actor=coord, outcome=Outcome.REACHED)
    assert reached.status == LeadStatus.CONTACTED
    first = reached.first_contact_at
    assert first is not None and first >= lead.received_at
    later = lead_call_attempt_record(lead=lead, actor=coord, outcome=Outcome.REACHED)
    assert later.first_contact_at == first
    assert [e.kind for e in staff_events(lead)] == [Kind.CALL, Kind.STATUS, Kind.CALL, Kind.STATUS, Kind.CALL]


def test_a_call_does_not_move_a_lead_that_is_further_along(lead, coord):
    lead_status_change(lead=lead, to_status=LeadStatus.VERIFIED, actor=coord)
    updated = lead_call_attempt_record(lead=lead, actor=coord, outcome=Outcome.REACHED)
    assert updated.status == LeadStatus.VERIFIED
    assert updated.first_contact_at is not None


@pytest.mark.parametrize("outcome", ["", "answered", None])
def test_unknown_call_outcome_is_refused(lead, coord, outcome):
    with pytest.raises(ValidationError) as error:
        lead_call_attempt_record(lead=lead, actor=coord, outcome=outcome)
    assert "outcome" in error.value.message_dict
    assert_unchanged(lead, lead)


def test_call_note_too_long_stores_nothing(lead, coord):
    with pytest.raises(ValidationError):
        lead_call_attempt_record(lead=lead, actor=coord, outcome="reached", note="é" * (NOTE_MAX_LENGTH + 1))
    assert_unchanged(lead, lead)


# Notes -------------------------------------------------------------------------


def test_notes_are_stored_encrypted_and_read_back_in_any_script(lead, coord):
    text = "Называет сына «Лёша» — 回电话 — <script>alert(1)</script> CANARY-NOTE-5521"
    lead_note_add(lead=lead, actor=coord, note=text)
    [event] = staff_events(lead)
    assert event.note == text and event.actor == coord
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM admissions_leadevent WHERE id = %s", [event.pk])
        (raw,) = cursor.fetchone()
    assert "CANARY" not in raw and raw.startswith("phi1.")


@pytest.mark.parametrize("note", ["", "   ", "\n\n"])
def test_an_empty_note_is_refused(lead, coord, note):
    with pytest.raises(ValidationError) as error:
        lead_note_add(lead=lead, actor=coord, note=note)
    assert "note" in error.value.message_dict
    assert_unchanged(lead, lead)


def test_a_10000_character_note_is_refused_and_5000_kept(lead, coord):
    with pytest.raises(ValidationError):
        lead_note_add(lead=lead, actor=coord, note="a" * 10_000)
    lead_note_add(lead=lead, actor=coord, note="a" * NOTE_MAX_LENGTH)
    assert len(staff_events(lead)[0].note) == NOTE_MAX_LENGTH


# Assignment --------------------------------------------------------------------


def test_a_coordinator_takes_an_unassigned_lead_and_hands_it_back(lead, coord):
    taken = lead_assign(lead=lead, actor=coord, assignee=coord)
    assert taken.assigned_to == coord
    back = lead_assign(lead=lead, actor=coord, assignee=None)
    assert back.assigned_to is None
    taken_event, back_event = staff_events(lead)
    assert taken_event.kind == back_event.kind == Kind.ASSIGNED
    assert taken_event.note == "Assigned to Casey Cole."
    assert back_event.note == "Unassigned (was Casey Cole)."


def test_a_coordinator_cannot_take_a_lead_from_another(lead, coord):
    other = coordinator("robin")
    lead_assign(lead=lead, actor=other, assignee=other)
    before = Lead.objects.get(pk=lead.pk)
    with pytest.raises(PermissionDenied):
        lead_assign(lead=lead, actor=coord, assignee=coord)
    with pytest.raises(PermissionDenied):
        lead_assign(lead=lead, actor=coord, assignee=None)
    assert Lead.objects.get(pk=lead.pk).assigned_to_id == before.assigned_to_id == other.pk
    assert len(staff_events(lead)) == 1


def test_a_coordinator_cannot_give_an_unassigned_lead_to_someone_else(lead, coord):
    with pytest.raises(PermissionDenied):
        lead_assign(lead=lead, actor=coord, assignee=coordinator("robin"))
    assert_unchanged(lead, lead)


def test_a_manager_moves_a_lead_between_coordinators(lead, coord):
    boss = manager("morgan")
    other = coordinator("robin")
    lead_assign(lead=lead, actor=coord, assignee=coord)
    moved = lead_assign(lead=lead, actor=boss, assignee=other)
    assert moved.assigned_to == other
    assert staff_events(lead)[-1].note == "Moved from Casey Cole to robin."
    assert staff_events(lead)[-1].actor == boss


def test_leads_go_only_to_people_who_work_leads(lead):
    boss = manager("morgan")
    for assignee in (
        content_editor(),
        make_user("no_role"),
        coordinator("left_the_job", is_active=False),
    ):
        with pytest.raises(ValidationError) as error:
            lead_assign(lead=lead, actor=boss, assignee=assignee)
        assert "assignee" in error.value.message_dict
    assert_unchanged(lead, lead)


def test_assigning_to_the_current_coordinator_is_refused(lead, coord):
    lead_assign(lead=lead, actor=coord, assignee=coord)
    with pytest.raises(ValidationError):
        lead_assign(lead=lead, actor=coord, assignee=coord)


# Follow-up ---------------------------------------------------------------------


def test_follow_up_is_set_and_cleared_with_events(lead, coord):
    due = timezone.now() + datetime.timedelta(days=1)
    updated = lead_follow_up_set(lead=lead, actor=coord, follow_up_at=due, note="After her shift")
    assert updated.follow_up_at == due
    cleared = lead_follow_up_set(lead=lead, actor=coord, follow_up_at=None)
    assert cleared.follow_up_at is None
    set_event, clear_event = staff_events(lead)
    assert set_event.note.startswith("Follow-up due ") and set_event.note.endswith("\nAfter her shift")
    assert clear_event.note == "Follow-up cleared."


@pytest.mark.parametrize(
    "when",
    [datetime.timedelta(minutes=-1), datetime.timedelta(0), datetime.timedelta(days=400)],
    ids=["past", "now", "over-a-year"],
)
def test_follow_up_must_be_in_the_coming_year(lead, coord, when):
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        lead_follow_up_set(lead=lead, actor=coord, follow_up_at=now + when, now=now)
    assert "follow_up_at" in error.value.message_dict
    assert_unchanged(lead, lead)


def test_follow_up_needs_a_time_zone(lead, coord):
    with pytest.raises(ValidationError):
        lead_follow_up_set(lead=lead, actor=coord, follow_up_at=datetime.datetime(2099, 1, 1, 9))


def test_a_closed_lead_gets_no_follow_up(lead, coord):
    lead_status_change(lead=lead, to_status=LeadStatus.SPAM, actor=coord, reason="Bot text")
    with pytest.raises(ValidationError):
        lead_follow_up_set(lead=lead, actor=coord, follow_up_at=timezone.now() + datetime.timedelta(hours=2))
    assert Lead.objects.get(pk=lead.pk).follow_up_at is None


def test_clearing_a_missing_follow_up_is_refused(lead, coord):
    with pytest.raises(ValidationError):
        lead_follow_up_set(lead=lead, actor=coord, follow_up_at=None)
    assert_unchanged(lead, lead)
