"""Issue 11, scheduling and capacity: appointments on a lead and the team's
day; seats per track, a full track's waitlist in order and the offer of the
next free seat; the status path with an event per move; reminders without
patient data; the purge; time from first contact to admission."""

import csv
import datetime
import io
import threading
import time
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from admissions.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    ConsultationRequest,
    Lead,
    LeadEvent,
    LeadStatus,
    ProgramTrack,
    SeatEnd,
    TrackLevel,
    TrackSeat,
    WaitlistEntry,
    WaitlistOutcome,
)
from admissions.services import scheduling
from admissions.services.pipeline import lead_call_attempt_record, lead_status_change
from admissions.staff import capacity

from .factories import coordinator, login, make_consultation, manager
from .screening_support import NO_RISK, clinician, make_screening

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def soon(**delta) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(**delta)


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def track(name="IOP morning", seats=2, level=TrackLevel.IOP, **fields) -> ProgramTrack:
    return ProgramTrack.objects.create(name=name, level=level, seats=seats, **fields)


def contacted_lead(actor, **answers) -> Lead:
    lead = make_consultation(**answers)[1]
    lead_call_attempt_record(lead=lead, actor=actor, outcome="reached")
    return Lead.objects.get(pk=lead.pk)


def status_moves(lead) -> list[tuple[str, str]]:
    events = LeadEvent.objects.filter(lead=lead, kind=LeadEvent.Kind.STATUS).order_by("at", "id")
    return [(e.from_status, e.to_status) for e in events]


@pytest.fixture
def coord():
    return coordinator("casey", first_name="Casey", last_name="Nguyen", email="casey@sheer.example")


# Appointments and the status path --------------------------------------------------------


def test_booking_an_assessment_moves_the_lead_with_an_event_each(coord):
    lead = contacted_lead(coord)
    doc = clinician("doc", first_name="Dana", last_name="Reyes")
    appointment = scheduling.appointment_book(
        lead=lead,
        actor=coord,
        kind=AppointmentKind.ASSESSMENT,
        starts_at=soon(days=1),
        with_whom=doc,
        mode="telehealth",
        notes="Canarynotes: bring the medication list",
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ASSESSMENT_SCHEDULED
    assert status_moves(lead)[-1] == (LeadStatus.CONTACTED, LeadStatus.ASSESSMENT_SCHEDULED)
    booked = LeadEvent.objects.get(lead=lead, kind=LeadEvent.Kind.APPOINTMENT)
    assert booked.actor == coord and "Assessment" in booked.note and "Dana Reyes" in booked.note
    # The notes are encrypted at rest.
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM admissions_appointment WHERE id = %s", [appointment.pk])
        (stored,) = cursor.fetchone()
    assert "Canary" not in stored and Appointment.objects.get().notes.startswith("Canarynotes")


def test_the_path_screening_assessment_admitted_each_a_status_event(coord):
    lead = contacted_lead(coord)
    make_screening(lead, coord, NO_RISK)
    iop = track(seats=1)
    scheduling.appointment_book(
        lead=lead, actor=coord, kind=AppointmentKind.ASSESSMENT, starts_at=soon(hours=3), with_whom=coord
    )
    result = scheduling.lead_admit(lead=lead, track=iop, actor=coord, starts_on=TODAY())
    assert result.admitted
    assert status_moves(lead) == [
        (LeadStatus.NEW, LeadStatus.CONTACTED),
        (LeadStatus.CONTACTED, LeadStatus.SCREENING),
        (LeadStatus.SCREENING, LeadStatus.ASSESSMENT_SCHEDULED),
        (LeadStatus.ASSESSMENT_SCHEDULED, LeadStatus.ADMITTED),
    ]
    assert set(
        LeadEvent.objects.filter(lead=lead, kind=LeadEvent.Kind.STATUS).values_list("actor", flat=True)
    ) == {coord.pk}
    # Never backwards: booking an admission appointment, or a new screen, leaves Admitted alone.
    scheduling.appointment_book(
        lead=lead, actor=coord, kind=AppointmentKind.ASSESSMENT, starts_at=soon(days=2), with_whom=coord
    )
    make_screening(lead, coord, NO_RISK)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ADMITTED and len(status_moves(lead)) == 4


def test_closed_leads_are_not_booked_or_admitted_and_referred_out_stays_a_status_move(coord):
    from admissions.models import ReferralPartner

    lead = contacted_lead(coord)
    partner = ReferralPartner.objects.create(name="Harbor Detox", kind="detox")
    lead_status_change(
        lead=lead, to_status=LeadStatus.REFERRED_OUT, actor=coord, reason="Needs detox", referred_to=partner
    )
    with pytest.raises(ValidationError) as booked:
        scheduling.appointment_book(
            lead=lead, actor=coord, kind=AppointmentKind.ASSESSMENT, starts_at=soon(days=1), with_whom=coord
        )
    assert "reopen" in str(booked.value)
    with pytest.raises(ValidationError):
        scheduling.lead_admit(lead=lead, track=track(), actor=coord, starts_on=TODAY())
    assert status_moves(lead)[-1] == (LeadStatus.CONTACTED, LeadStatus.REFERRED_OUT)
    assert not Appointment.objects.exists() and not TrackSeat.objects.exists()


def test_a_past_time_or_someone_who_sees_nobody_is_refused(coord):
    from .factories import content_editor

    lead = contacted_lead(coord)
    with pytest.raises(ValidationError) as past:
        scheduling.appointment_book(
            lead=lead, actor=coord, kind=AppointmentKind.ASSESSMENT, starts_at=soon(hours=-3), with_whom=coord
        )
    assert "starts_at" in past.value.message_dict
    with pytest.raises(ValidationError) as who:
        scheduling.appointment_book(
            lead=lead,
            actor=coord,
            kind=AppointmentKind.ASSESSMENT,
            starts_at=soon(days=1),
            with_whom=content_editor("ed"),
        )
    assert "with_whom" in who.value.message_dict
    with pytest.raises(PermissionDenied):
        scheduling.appointment_book(
            lead=lead, actor=clinician("doc"), kind="assessment", starts_at=soon(days=1), with_whom=coord
        )
    assert not Appointment.objects.exists()


def test_moving_and_closing_an_appointment(coord):
    lead = contacted_lead(coord)
    appointment = scheduling.appointment_book(
        lead=lead, actor=coord, kind=AppointmentKind.ADMISSION, starts_at=soon(minutes=30), with_whom=coord
    )
    Appointment.objects.filter(pk=appointment.pk).update(reminder_sent_at=timezone.now())
    moved = scheduling.appointment_change(
        appointment=appointment,
        actor=coord,
        starts_at=soon(days=1),
        with_whom=coord,
        mode="in_person",
        minutes=90,
    )
    assert moved.reminder_sent_at is None and moved.minutes == 90  # a new time is reminded again
    scheduling.appointment_close(appointment=moved, actor=coord, status=AppointmentStatus.NO_SHOW)
    with pytest.raises(ValidationError):
        scheduling.appointment_close(appointment=moved, actor=coord, status=AppointmentStatus.KEPT)
    notes = list(
        LeadEvent.objects.filter(lead=lead, kind=LeadEvent.Kind.APPOINTMENT)
        .order_by("id")
        .values_list("note", flat=True)
    )
    assert notes[0].startswith("Booked: Admission") and notes[1].startswith("Changed:")
    assert notes[2].endswith("did not come.")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED  # an admission appointment is not an admission


# Seats and the waitlist -------------------------------------------------------------------


def test_a_full_iop_track_waitlists_in_order_and_offers_the_next_free_seat(coord):
    iop = track("IOP evening", seats=2)
    leads = [contacted_lead(coord) for _ in range(5)]
    results = [scheduling.lead_admit(lead=lead, track=iop, actor=coord, starts_on=TODAY()) for lead in leads]
    assert [r.admitted for r in results] == [True, True, False, False, False]
    assert [r.place for r in results[2:]] == [1, 2, 3]
    for lead in leads[2:]:
        lead.refresh_from_db()
        assert lead.status == LeadStatus.WAITLISTED
    assert status_moves(leads[2])[-1] == (LeadStatus.CONTACTED, LeadStatus.WAITLISTED)
    assert capacity.census()[0].free == 0 and capacity.census()[0].waiting == 3

    # The second in line asking again keeps its place: nobody jumps the queue.
    again = scheduling.lead_admit(lead=leads[3], track=iop, actor=coord, starts_on=TODAY())
    assert not again.admitted and again.place == 2

    # A seat frees: it is kept for the head of the list, not for whoever asks first.
    scheduling.seat_free(seat=results[0].seat, actor=coord, end=SeatEnd.COMPLETED)
    head, second, third = (WaitlistEntry.objects.get(lead=lead) for lead in leads[2:])
    assert head.offered_at is not None and second.offered_at is None and third.offered_at is None
    assert LeadEvent.objects.filter(lead=leads[2], kind=LeadEvent.Kind.SEAT, note__isnull=False).count() == 2
    newcomer = contacted_lead(coord)
    assert not scheduling.lead_admit(lead=newcomer, track=iop, actor=coord, starts_on=TODAY()).admitted
    assert not scheduling.lead_admit(lead=leads[3], track=iop, actor=coord, starts_on=TODAY()).admitted

    # The head takes the kept seat; the head declining would pass it on.
    taken = scheduling.lead_admit(lead=leads[2], track=iop, actor=coord, starts_on=TODAY())
    assert taken.admitted
    leads[2].refresh_from_db()
    assert leads[2].status == LeadStatus.ADMITTED
    scheduling.seat_free(seat=results[1].seat, actor=coord, end=SeatEnd.LEFT)
    second.refresh_from_db()
    assert second.offered_at is not None
    scheduling.waitlist_leave(entry=second, actor=coord)
    third.refresh_from_db()
    assert third.offered_at is not None  # declined: the next in line is offered it
    row = capacity.census()[0]
    assert (row.held, row.kept, row.waiting, row.free) == (1, 1, 1, 0)


def test_more_seats_go_to_the_waitlist_first(coord):
    php = track("PHP day", seats=1, level=TrackLevel.PHP)
    first, waiting = contacted_lead(coord), contacted_lead(coord)
    scheduling.lead_admit(lead=first, track=php, actor=coord, starts_on=TODAY())
    scheduling.lead_admit(lead=waiting, track=php, actor=coord, starts_on=TODAY())
    ProgramTrack.objects.filter(pk=php.pk).update(seats=2)
    late = contacted_lead(coord)
    assert not scheduling.lead_admit(lead=late, track=php, actor=coord, starts_on=TODAY()).admitted
    assert WaitlistEntry.objects.get(lead=waiting).offered_at is not None


def test_one_seat_and_one_waitlist_at_a_time(coord):
    morning, evening = track("IOP morning", seats=1), track("IOP evening", seats=1)
    lead, other = contacted_lead(coord), contacted_lead(coord)
    scheduling.lead_admit(lead=lead, track=morning, actor=coord, starts_on=TODAY())
    with pytest.raises(ValidationError) as held:
        scheduling.lead_admit(lead=lead, track=evening, actor=coord, starts_on=TODAY())
    assert "free it first" in str(held.value)
    scheduling.lead_admit(lead=other, track=evening, actor=coord, starts_on=TODAY())
    third = contacted_lead(coord)
    scheduling.lead_admit(lead=third, track=morning, actor=coord, starts_on=TODAY())
    with pytest.raises(ValidationError) as listed:
        scheduling.lead_admit(lead=third, track=evening, actor=coord, starts_on=TODAY())
    assert "waitlist for IOP morning" in str(listed.value)


def test_sober_living_counts_beds(coord):
    house = track("Women's house", seats=6, level=TrackLevel.SOBER_LIVING)
    scheduling.lead_admit(lead=contacted_lead(coord), track=house, actor=coord, starts_on=TODAY())
    [row] = capacity.census()
    assert row.words == "5 of 6 beds open"
    assert capacity.census_by_level([row])[0]["label"] == "Sober living"


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_racing_for_the_last_seat_take_it_once(monkeypatch):
    """Two threads, two connections, one seat: the track row lock serialises
    them, so one is admitted and the other wait-listed, never both seated.
    Each pauses after counting the seats, so without the lock both would
    count the last seat free (checked: the test fails without it)."""
    counted = scheduling.track_count

    def slow_count(track):
        result = counted(track)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(scheduling, "track_count", slow_count)
    first_coord, second_coord = coordinator("first"), coordinator("second")
    last_seat = track("IOP morning", seats=3)
    for _ in range(2):
        scheduling.lead_admit(
            lead=contacted_lead(first_coord), track=last_seat, actor=first_coord, starts_on=TODAY()
        )
    racers = [(contacted_lead(first_coord), first_coord), (contacted_lead(second_coord), second_coord)]
    start = threading.Barrier(2)
    outcomes, errors = [], []

    def admit(lead, actor):
        try:
            start.wait(timeout=10)
            outcomes.append(scheduling.lead_admit(lead=lead, track=last_seat, actor=actor, starts_on=TODAY()))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=admit, args=racer) for racer in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(o.admitted for o in outcomes) == [False, True]
    assert TrackSeat.objects.filter(track=last_seat, freed_at__isnull=True).count() == 3
    assert WaitlistEntry.objects.filter(track=last_seat).count() == 1
    statuses = sorted(Lead.objects.filter(pk__in=[r[0].pk for r in racers]).values_list("status", flat=True))
    assert statuses == sorted([LeadStatus.ADMITTED, LeadStatus.WAITLISTED])


# The team's day ----------------------------------------------------------------------------


def test_the_day_view_lists_the_local_day_mine_first(coord):
    other = coordinator("riley", first_name="Riley", last_name="Park")
    mine_lead = contacted_lead(coord, first_name="Mina")
    other_lead = contacted_lead(other, first_name="Otto")
    Lead.objects.filter(pk=other_lead.pk).update(assigned_to=other)
    tomorrow = TODAY() + datetime.timedelta(days=1)
    for lead, who, when in (
        (other_lead, other, local(tomorrow, 9)),
        (mine_lead, coord, local(tomorrow, 15)),
        (other_lead, other, local(tomorrow, 23, 30)),  # 23:30 Pacific is the next day in UTC
        (mine_lead, coord, local(tomorrow + datetime.timedelta(days=1), 10)),
    ):
        scheduling.appointment_book(lead=lead, actor=who, kind="assessment", starts_at=when, with_whom=who)
    client = login(Client(), coord)
    url = reverse("admin:admissions_lead_schedule_day")
    response = client.get(url, {"day": tomorrow.isoformat()})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["lead"].pk, timezone.localtime(r["appointment"].starts_at).hour) for r in rows] == [
        (mine_lead.pk, 15),
        (other_lead.pk, 9),
        (other_lead.pk, 23),
    ]
    page = response.content.decode()
    assert page.index("Mina") < page.index("Otto") and "Yours (1)" in page
    assert 'type="date"' in page and "Next day" in page
    assert client.get(url).context["rows"] == []  # today: nothing booked
    assert client.get(url, {"day": "not-a-day"}).status_code == 200


def test_the_lead_page_shows_the_panel_and_the_schedule_page_books(coord):
    lead = contacted_lead(coord)
    iop = track("IOP evening", seats=1, next_start_on=TODAY() + datetime.timedelta(days=3))
    client = login(Client(), coord)
    page = client.get(reverse("admin:admissions_lead_change", args=[lead.pk])).content.decode()
    assert (
        "Appointments and admission" in page
        and reverse("admin:admissions_lead_schedule", args=[lead.pk]) in page
    )
    url = reverse("admin:admissions_lead_schedule", args=[lead.pk])
    assert client.get(url).status_code == 200
    tomorrow = TODAY() + datetime.timedelta(days=1)
    form = {
        "action": "book",
        "book-kind": "assessment",
        "book-day": tomorrow.isoformat(),
        "book-time": "14:30",
        "book-with_whom": coord.pk,
        "book-mode": "in_person",
        "book-minutes": "60",
    }
    assert client.post(url, form).status_code == 302
    appointment = Appointment.objects.get(lead=lead)
    assert timezone.localtime(appointment.starts_at).time() == datetime.time(14, 30)
    # A time already past: the form says so beside the date, nothing stored.
    past = client.post(url, {**form, "book-day": (TODAY() - datetime.timedelta(days=2)).isoformat()})
    assert past.status_code == 400 and "That time is past" in past.content.decode()
    assert Appointment.objects.count() == 1
    # Admission through the page: the first day defaults to the track's next start.
    assert client.get(url).context["admit_form"]
    response = client.post(
        url, {"action": "admit", "admit-track": iop.pk, "admit-starts_on": iop.next_start_on.isoformat()}
    )
    assert response.status_code == 302
    assert TrackSeat.objects.get(lead=lead).starts_on == iop.next_start_on
    page = client.get(reverse("admin:admissions_lead_change", args=[lead.pk])).content.decode()
    assert "IOP evening, first day" in page


# Reminders ------------------------------------------------------------------------------


def test_reminders_go_to_the_coordinator_without_patient_data(coord, settings):
    settings.ADMISSIONS_APPOINTMENT_REMINDER_MINUTES = 60
    settings.SITE_URL = "https://sheer.example"
    lead = contacted_lead(coord, first_name="Canaryfirst", last_name="Canarylast", phone="+17143000177")
    Lead.objects.filter(pk=lead.pk).update(assigned_to=coord)
    doc = clinician("doc", first_name="Dana", last_name="Reyes", email="dana@sheer.example")
    due = scheduling.appointment_book(
        lead=lead,
        actor=coord,
        kind="assessment",
        starts_at=soon(minutes=40),
        with_whom=doc,
        notes="Canarynote: opioid use, bring naloxone",
    )
    later = scheduling.appointment_book(
        lead=lead, actor=coord, kind="admission", starts_at=soon(hours=5), with_whom=doc
    )
    out = StringIO()
    call_command("send_appointment_reminders", stdout=out)
    assert "sent=1" in out.getvalue()
    (message,) = mail.outbox
    assert sorted(message.to) == ["casey@sheer.example", "dana@sheer.example"]
    text = f"{message.subject}\n{message.body}\n{message.extra_headers}"
    assert f"lead {lead.pk}" in text and "Assessment" in text
    assert f"https://sheer.example/admin/admissions/lead/{lead.pk}/schedule/" in message.body
    for secret in ("Canary", "3000177", "300-0177", "opioid", "naloxone", "Lopez", "Maria", "Mother"):
        assert secret not in text, secret
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.reminder_sent_at is not None and later.reminder_sent_at is None
    call_command("send_appointment_reminders", stdout=StringIO())
    assert len(mail.outbox) == 1  # once per appointment


def test_a_mail_failure_leaves_the_reminder_for_the_next_run(coord, settings, monkeypatch):
    lead = contacted_lead(coord)
    appointment = scheduling.appointment_book(
        lead=lead, actor=coord, kind="assessment", starts_at=soon(minutes=10), with_whom=coord
    )

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert scheduling.appointment_reminders_send()["failed"] == 1
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is None
    monkeypatch.undo()
    assert scheduling.appointment_reminders_send()["sent"] == 1


# Purge ----------------------------------------------------------------------------------


def test_purge_erases_appointments_and_frees_the_seat_for_the_next_in_line(coord, settings):
    settings.LEAD_RETENTION_DAYS = 90
    one_seat = track("IOP morning", seats=1)
    old = contacted_lead(coord, first_name="Oldlead")
    scheduling.appointment_book(
        lead=old, actor=coord, kind="assessment", starts_at=soon(hours=2), with_whom=coord
    )
    assert scheduling.lead_admit(lead=old, track=one_seat, actor=coord, starts_on=TODAY()).admitted
    waiting = contacted_lead(coord)
    assert not scheduling.lead_admit(lead=waiting, track=one_seat, actor=coord, starts_on=TODAY()).admitted
    # Everything about the old lead happened long ago.
    long_ago = timezone.now() - datetime.timedelta(days=200)
    Lead.objects.filter(pk=old.pk).update(last_activity_at=long_ago)
    LeadEvent.objects.filter(lead=old).update(at=long_ago)
    ConsultationRequest.objects.filter(lead=old).update(submitted_at=long_ago)
    Appointment.objects.filter(lead=old).update(starts_at=long_ago, updated_at=long_ago, created_at=long_ago)

    out = StringIO()
    call_command("purge_leads", stdout=out)
    assert "leads=1" in out.getvalue()
    assert not Lead.objects.filter(pk=old.pk).exists()
    assert not Appointment.objects.filter(lead_id=old.pk).exists()
    assert not TrackSeat.objects.filter(lead_id=old.pk).exists()
    entry = WaitlistEntry.objects.get(lead=waiting)
    assert entry.offered_at is not None
    offer = LeadEvent.objects.filter(lead=waiting, kind=LeadEvent.Kind.SEAT).latest("at")
    assert offer.actor is None and "kept for this person" in offer.note
    assert capacity.census()[0].kept == 1


def test_an_appointment_still_to_come_keeps_a_lead_from_the_purge(coord, settings):
    settings.LEAD_RETENTION_DAYS = 90
    lead = contacted_lead(coord)
    scheduling.appointment_book(
        lead=lead, actor=coord, kind="assessment", starts_at=soon(days=1), with_whom=coord
    )
    long_ago = timezone.now() - datetime.timedelta(days=200)
    Lead.objects.filter(pk=lead.pk).update(last_activity_at=long_ago)
    LeadEvent.objects.filter(lead=lead).update(at=long_ago)
    ConsultationRequest.objects.filter(lead=lead).update(submitted_at=long_ago)
    Appointment.objects.filter(lead=lead).update(updated_at=long_ago, created_at=long_ago)
    call_command("purge_leads", stdout=StringIO())
    assert Lead.objects.filter(pk=lead.pk).exists()


# Time from first contact to admission ------------------------------------------------------


def _admitted_after(coord, days: float) -> Lead:
    lead = contacted_lead(coord)
    lead_status_change(lead=lead, to_status=LeadStatus.ADMITTED, actor=coord)
    lead.refresh_from_db()
    admitted = lead.first_contact_at + datetime.timedelta(days=days)
    LeadEvent.objects.filter(lead=lead, to_status=LeadStatus.ADMITTED).update(at=admitted)
    return lead


def test_time_to_admission_in_the_csv_and_its_median(coord):
    boss = manager("morgan")
    quick, slow = _admitted_after(coord, 2), _admitted_after(coord, 4.5)
    waiting = contacted_lead(coord)
    body = b"".join(
        login(Client(), boss).get("/admin/admissions/lead/export/", {"status": "all"}).streaming_content
    )
    rows = {row["lead"]: row for row in csv.DictReader(io.StringIO(body.decode()))}
    assert rows[str(quick.pk)]["days_to_admission"] == "2.0"
    assert rows[str(slow.pk)]["days_to_admission"] == "4.5"
    assert rows[str(waiting.pk)]["days_to_admission"] == ""
    median = capacity.median_time_to_admission(since=timezone.now() - datetime.timedelta(days=30))
    assert median == datetime.timedelta(days=3.25)
    assert capacity.median_time_to_admission(since=timezone.now() + datetime.timedelta(days=30)) is None


def test_the_dashboard_shows_census_and_median_to_admission(coord):
    boss = manager("morgan")
    iop = track("IOP morning", seats=12)
    scheduling.lead_admit(lead=contacted_lead(coord), track=iop, actor=coord, starts_on=TODAY())
    _admitted_after(coord, 4)
    response = login(Client(), boss).get(reverse("admin:admissions_lead_dashboard"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Census and open seats" in page and "11 of 12 seats open" in page
    # The seat taken just now (0 days) and the lead admitted 4 days after first contact.
    assert "Median time from first contact to admission" in page and "2.0 days" in page


def test_the_status_list_keeps_its_old_values_and_suggests_past_the_waitlist():
    from admissions.models import CHECK_MAY_VERIFY_FROM, OPEN_STATUSES, PIPELINE, next_status

    assert next_status(LeadStatus.VERIFIED) == LeadStatus.SCREENING
    assert next_status(LeadStatus.SCREENING) == LeadStatus.ASSESSMENT_SCHEDULED
    assert next_status(LeadStatus.ASSESSMENT_SCHEDULED) == LeadStatus.ADMITTED  # never "Waitlisted"
    assert next_status(LeadStatus.WAITLISTED) == LeadStatus.ADMITTED
    assert PIPELINE[-1] == LeadStatus.ADMITTED and LeadStatus.WAITLISTED in OPEN_STATUSES
    # The automatic insurance check still never moves a lead that is further on.
    assert LeadStatus.SCREENING not in CHECK_MAY_VERIFY_FROM
    for old in ("new", "contacted", "verified", "assessment_scheduled", "admitted", "spam"):
        assert old in LeadStatus.values


def test_schedule_pages_are_audited_without_patient_data(coord):
    from admissions.models import AuditEvent

    lead = contacted_lead(coord, first_name="Canaryaudit")
    client = login(Client(), coord)
    client.get(reverse("admin:admissions_lead_schedule_day"))
    client.get(reverse("admin:admissions_lead_schedule", args=[lead.pk]))
    details = list(AuditEvent.objects.filter(user=coord).values_list("object_type", "object_id", "detail"))
    assert ("admissions.lead", str(lead.pk), "schedule") in details
    assert any(t == "admissions.appointment" and d.startswith("day ") for t, _, d in details)
    assert not any("Canary" in d for _, _, d in details)


def test_the_schedule_page_moves_closes_frees_and_leaves(coord):
    lead, waiting = contacted_lead(coord), contacted_lead(coord)
    one_seat = track("PHP day", seats=1, level=TrackLevel.PHP)
    appointment = scheduling.appointment_book(
        lead=lead, actor=coord, kind="assessment", starts_at=soon(days=1), with_whom=coord
    )
    seat = scheduling.lead_admit(lead=lead, track=one_seat, actor=coord, starts_on=TODAY()).seat
    entry = scheduling.lead_admit(lead=waiting, track=one_seat, actor=coord, starts_on=TODAY()).entry
    client = login(Client(), coord)
    url = reverse("admin:admissions_lead_schedule", args=[lead.pk])
    prefix = f"change-{appointment.pk}"
    move = {
        "action": "change",
        "appointment": appointment.pk,
        f"{prefix}-day": (TODAY() - datetime.timedelta(days=3)).isoformat(),
        f"{prefix}-time": "09:00",
        f"{prefix}-with_whom": coord.pk,
        f"{prefix}-mode": "in_person",
        f"{prefix}-minutes": "90",
    }
    refused = client.post(url, move)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "That time is past" in page and 'open id="change-form"' in page
    move[f"{prefix}-day"] = (TODAY() + datetime.timedelta(days=2)).isoformat()
    assert client.post(url, move).status_code == 302
    appointment.refresh_from_db()
    assert appointment.minutes == 90 and timezone.localtime(appointment.starts_at).hour == 9
    closed = client.post(
        url, {"action": "close", "appointment": appointment.pk, f"close-{appointment.pk}-status": "kept"}
    )
    assert closed.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.KEPT
    assert client.post(url, {"action": "free", "seat": seat.pk, "free-end": "completed"}).status_code == 302
    entry.refresh_from_db()
    assert entry.offered_at is not None
    other_url = reverse("admin:admissions_lead_schedule", args=[waiting.pk])
    assert "A seat is kept for this person" in client.get(other_url).content.decode()
    # Another lead's seat or appointment cannot be reached through this lead's page.
    assert (
        client.post(url, {"action": "leave", "entry": entry.pk, "leave-outcome": "declined"}).status_code
        == 404
    )
    left = client.post(other_url, {"action": "leave", "entry": entry.pk, "leave-outcome": "declined"})
    assert left.status_code == 302
    entry.refresh_from_db()
    assert entry.outcome == "declined"
    assert client.post(url, {"action": "nonsense"}).status_code == 400
    capacity_page = client.get(reverse("admin:admissions_lead_capacity")).content.decode()
    assert "PHP day: 1 of 1 seats open" in capacity_page


def test_closing_a_seated_lead_frees_its_seat_for_the_next_in_line_and_a_refused_close_keeps_it(coord):
    iop = track("IOP close", seats=1)
    seated, waiting = contacted_lead(coord), contacted_lead(coord)
    seat = scheduling.lead_admit(lead=seated, track=iop, actor=coord, starts_on=TODAY()).seat
    assert not scheduling.lead_admit(lead=waiting, track=iop, actor=coord, starts_on=TODAY()).admitted
    client = login(Client(), coord)
    url = reverse("admin:admissions_lead_change", args=[seated.pk])

    # Closing without a reason is refused: the seat stays held.
    refused = client.post(
        url, {"action": "status", "status-to_status": LeadStatus.DECLINED, "status-reason": ""}
    )
    assert refused.status_code == 400
    seat.refresh_from_db()
    assert seat.freed_at is None

    client.post(
        url,
        {
            "action": "status",
            "status-to_status": LeadStatus.DECLINED,
            "status-reason": "Chose another program",
        },
    )
    seat.refresh_from_db()
    seated.refresh_from_db()
    assert seated.status == LeadStatus.DECLINED and seat.freed_at is not None and seat.end == SeatEnd.LEFT
    assert WaitlistEntry.objects.get(lead=waiting).offered_at is not None

    # A waiting lead that is closed leaves the list.
    client.post(
        reverse("admin:admissions_lead_change", args=[waiting.pk]),
        {
            "action": "status",
            "status-to_status": LeadStatus.UNREACHABLE,
            "status-reason": "No answer for two weeks",
        },
    )
    entry = WaitlistEntry.objects.get(lead=waiting)
    assert entry.closed_at is not None and entry.outcome == WaitlistOutcome.REMOVED
