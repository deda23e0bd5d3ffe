"""Issue 11, role x page for scheduling and capacity: coordinators and
managers book appointments and admit to tracks, managers also set tracks up,
a clinician sees the day's appointments, a lead's schedule and the census but
books and admits nothing, a content editor sees none of it. Allowed is a 200
(a 302 for a write that worked); denied is a 403 for staff, a redirect to the
login for anyone not logged in."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from admissions.models import Appointment, ProgramTrack, TrackLevel, TrackSeat

from .factories import content_editor, coordinator, login, make_consultation, make_user, manager
from .screening_support import clinician

pytestmark = pytest.mark.django_db

USERS = {
    "coordinator": lambda: coordinator("coord"),
    "manager": lambda: manager("boss"),
    "clinician": lambda: clinician("doc"),
    "content editor": lambda: content_editor("editor"),
    "staff without a role": lambda: make_user("nobody"),
    "superuser": lambda: make_user("root", superuser=True),
}
PAGES = [
    "lead page",
    "day view",
    "lead schedule",
    "book",
    "admit",
    "capacity",
    "tracks in the admin",
    "change a track",
]
OK = {page: 200 for page in PAGES} | {"book": 302, "admit": 302, "change a track": 302}
READS = {"lead page", "day view", "lead schedule", "capacity", "tracks in the admin"}
ALLOWED = {
    "coordinator": READS | {"book", "admit"},
    "manager": set(PAGES),
    "clinician": READS,
    "content editor": set(),
    "staff without a role": set(),
    "superuser": set(PAGES),
}


@pytest.fixture
def setting():
    _, lead = make_consultation(first_name="Hidalgo")
    track = ProgramTrack.objects.create(name="IOP evening", level=TrackLevel.IOP, seats=10)
    return lead, track, coordinator("first_coord")


def _request(client, page, setting):
    lead, track, with_whom = setting
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    schedule = reverse("admin:admissions_lead_schedule", args=[lead.pk])
    if page == "lead page":
        return client.get(reverse("admin:admissions_lead_change", args=[lead.pk]))
    if page == "day view":
        return client.get(reverse("admin:admissions_lead_schedule_day"), {"day": tomorrow.isoformat()})
    if page == "lead schedule":
        return client.get(schedule)
    if page == "book":
        return client.post(
            schedule,
            {
                "action": "book",
                "book-kind": "assessment",
                "book-day": tomorrow.isoformat(),
                "book-time": "10:00",
                "book-with_whom": with_whom.pk,
                "book-mode": "telehealth",
                "book-minutes": "60",
            },
        )
    if page == "admit":
        return client.post(
            schedule, {"action": "admit", "admit-track": track.pk, "admit-starts_on": tomorrow.isoformat()}
        )
    if page == "capacity":
        return client.get(reverse("admin:admissions_lead_capacity"))
    if page == "tracks in the admin":
        return client.get(reverse("admin:admissions_programtrack_changelist"))
    return client.post(
        reverse("admin:admissions_programtrack_change", args=[track.pk]),
        {
            "name": "IOP evening",
            "level": "iop",
            "seats": "12",
            "meets": "",
            "next_start_on": "",
            "active": "on",
        },
    )


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("page", PAGES)
def test_role_page_matrix(setting, role, page):
    client = login(Client(), USERS[role]())
    response = _request(client, page, setting)
    expected = OK[page] if page in ALLOWED[role] else 403
    assert response.status_code == expected, f"{role} on {page}: {response.status_code}"
    lead, track, _ = setting
    track.refresh_from_db()
    assert Appointment.objects.filter(lead=lead).exists() == (page == "book" and expected == 302)
    assert TrackSeat.objects.filter(lead=lead).exists() == (page == "admit" and expected == 302)
    assert (track.seats == 12) == (page == "change a track" and expected == 302)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_the_login(setting, page):
    response = _request(Client(), page, setting)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
