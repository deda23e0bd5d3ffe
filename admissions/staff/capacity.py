"""Census and open seats (view_programtrack), and the time from first contact
to admission:

- `census()`: each active track with its seats or beds, how many are held,
  kept for a waitlisted lead who was offered one, free, and how many wait;
- `median_time_to_admission(since=...)`: the median, over leads admitted
  since then, of the time from the first contact to the move to Admitted
  (the first such move of each lead; PostgreSQL reads the partial index on
  admission events, migration 0018);
- `first_admitted_at()`: that move as a subquery, for the CSV export;
- `capacity_page`: the census, each track's waitlist in order and the seats
  held, for the team (/admin/admissions/lead/capacity/);
- `census_panel_context`: what the dashboard's census block shows
  (templates/admin/admissions/_census.html, through the `census_panel` tag
  in admissions/templatetags/census.py).

Reads only; the writes are admissions.services.scheduling's.
"""

import datetime
import statistics
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, IntegerField, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import reverse

from admissions.access.audit import audit_record
from admissions.models import (
    AuditAction,
    LeadEvent,
    LeadStatus,
    ProgramTrack,
    TrackLevel,
    TrackSeat,
    WaitlistEntry,
)
from admissions.services import scheduling as service

from .display import format_duration, person_name

VIEW = "admissions.view_programtrack"


@dataclass(frozen=True)
class TrackCensus:
    track: ProgramTrack
    seats: int
    held: int
    kept: int
    waiting: int

    @property
    def free(self) -> int:
        return max(self.seats - self.held - self.kept, 0)

    @property
    def words(self) -> str:
        unit = "beds" if self.track.level == TrackLevel.SOBER_LIVING else "seats"
        if self.free:
            return f"{self.free} of {self.seats} {unit} open"
        return f"full ({self.seats} {unit}), {self.waiting + self.kept} waiting"


def _count(queryset):
    return Coalesce(
        Subquery(queryset.order_by().values("track").annotate(n=Count("pk")).values("n")[:1]),
        0,
        output_field=IntegerField(),
    )


def census() -> list[TrackCensus]:
    """Every active track, by level and name, in one query."""
    held = TrackSeat.objects.filter(track=OuterRef("pk"), freed_at__isnull=True)
    open_entries = WaitlistEntry.objects.filter(track=OuterRef("pk"), closed_at__isnull=True)
    tracks = (
        ProgramTrack.objects.filter(active=True)
        .annotate(
            held=_count(held),
            kept=_count(open_entries.filter(offered_at__isnull=False)),
            waiting=_count(open_entries.filter(offered_at__isnull=True)),
        )
        .order_by("level", "name")
    )
    return [TrackCensus(track=t, seats=t.seats, held=t.held, kept=t.kept, waiting=t.waiting) for t in tracks]


def census_by_level(rows: list[TrackCensus]) -> list[dict]:
    """Totals per level of care (PHP, IOP, sober living) for the dashboard."""
    levels = []
    for value, label in TrackLevel.choices:
        mine = [r for r in rows if r.track.level == value]
        if not mine:
            continue
        levels.append(
            {
                "label": label,
                "seats": sum(r.seats for r in mine),
                "held": sum(r.held for r in mine),
                "free": sum(r.free for r in mine),
                "waiting": sum(r.waiting + r.kept for r in mine),
                "unit": "beds" if value == TrackLevel.SOBER_LIVING else "seats",
            }
        )
    return levels


# Time from first contact to admission ---------------------------------------------------


def first_admitted_at():
    """Each lead's first move to Admitted, as a subquery on the lead."""
    return Subquery(
        LeadEvent.objects.filter(lead=OuterRef("pk"), to_status=LeadStatus.ADMITTED)
        .order_by("at")
        .values("at")[:1]
    )


def _admissions_since(since: datetime.datetime):
    """(lead, first admission, first contact) of the leads first admitted since `since`."""
    firsts = (
        LeadEvent.objects.filter(to_status=LeadStatus.ADMITTED)
        .values("lead")
        .annotate(admitted_at=Min("at"))
        .filter(admitted_at__gte=since, lead__first_contact_at__isnull=False)
        .values_list("admitted_at", "lead__first_contact_at")
    )
    return firsts


def median_time_to_admission(*, since: datetime.datetime) -> datetime.timedelta | None:
    """The median time from first contact to admission of the leads first
    admitted since `since`; None when nobody was."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY firsts.admitted_at - lead.first_contact_at)
                FROM (
                    SELECT lead_id, min(at) AS admitted_at FROM admissions_leadevent
                    WHERE to_status = %s AND lead_id IN (
                        SELECT lead_id FROM admissions_leadevent WHERE to_status = %s AND at >= %s
                    )
                    GROUP BY lead_id
                ) AS firsts
                JOIN admissions_lead AS lead ON lead.id = firsts.lead_id
                WHERE firsts.admitted_at >= %s AND lead.first_contact_at IS NOT NULL
                """,
                [LeadStatus.ADMITTED, LeadStatus.ADMITTED, since, since],
            )
            (median,) = cursor.fetchone()
        return median
    delays = [admitted - contact for admitted, contact in _admissions_since(since)]
    return statistics.median(delays) if delays else None


def days(delta: datetime.timedelta | None) -> str:
    """A time to admission in days, one decimal ("3.5"), for the CSV."""
    return "" if delta is None else f"{max(delta.total_seconds(), 0) / 86400:.1f}"


# The dashboard's block --------------------------------------------------------------------


def census_panel_context(*, user, since: datetime.datetime | None) -> dict:
    """What templates/admin/admissions/_census.html shows: totals per level,
    each track, and the median time to admission over the dashboard's period."""
    rows = census() if user.has_perm(VIEW) or user.has_perm("admissions.view_lead_dashboard") else []
    median = median_time_to_admission(since=since) if since is not None else None
    return {
        "census_rows": rows,
        "census_levels": census_by_level(rows),
        "median_to_admission": format_duration(median) if median is not None else "nobody admitted yet",
        "capacity_url": reverse("admin:admissions_lead_capacity") if user.has_perm(VIEW) else "",
    }


def seats_changed(track: ProgramTrack, *, user) -> None:
    """A manager changed a track's seats in the admin: offer any now free to its waitlist."""
    service.track_capacity_changed(track=track, actor=user)


# The capacity page ------------------------------------------------------------------------


def waitlists(tracks: list[ProgramTrack]) -> dict[int, list[dict]]:
    """Each track's open waitlist, in order (place 1 first)."""
    entries = (
        WaitlistEntry.objects.filter(track__in=tracks, closed_at__isnull=True)
        .select_related("lead", "lead__assigned_to")
        .order_by("track", "added_at", "id")
    )
    found: dict[int, list[dict]] = {t.pk: [] for t in tracks}
    for entry in entries:
        place = len(found[entry.track_id]) + 1
        found[entry.track_id].append(
            {
                "place": place,
                "entry": entry,
                "lead": entry.lead,
                "name": f"{entry.lead.first_name} {entry.lead.last_name}",
                "coordinator": person_name(entry.lead.assigned_to) or "Unassigned",
                "offered": entry.offered_at is not None,
                "url": reverse("admin:admissions_lead_schedule", args=[entry.lead_id]),
            }
        )
    return found


def held_seats(tracks: list[ProgramTrack]) -> dict[int, list[dict]]:
    seats = (
        TrackSeat.objects.filter(track__in=tracks, freed_at__isnull=True)
        .select_related("lead")
        .order_by("track", "starts_on", "id")
    )
    found: dict[int, list[dict]] = {t.pk: [] for t in tracks}
    for seat in seats:
        found[seat.track_id].append(
            {
                "seat": seat,
                "lead": seat.lead,
                "name": f"{seat.lead.first_name} {seat.lead.last_name}",
                "starts": service.day_words(seat.starts_on),
                "url": reverse("admin:admissions_lead_schedule", args=[seat.lead_id]),
            }
        )
    return found


def capacity_page(model_admin, request):
    user = request.user
    if not (user.is_active and user.has_perm(VIEW) and user.has_perm("admissions.view_lead")):
        raise PermissionDenied
    rows = census()
    tracks = [r.track for r in rows]
    lists, seats = waitlists(tracks), held_seats(tracks)
    audit_record(
        action=AuditAction.VIEW,
        request=request,
        object_type="admissions.programtrack",
        detail=f"capacity; tracks={len(rows)}",
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Census and open seats",
        "subtitle": None,
        "levels": census_by_level(rows),
        "tracks": [{"census": r, "waitlist": lists[r.track.pk], "seats": seats[r.track.pk]} for r in rows],
        "can_edit_tracks": user.has_perm("admissions.change_programtrack"),
        "media": model_admin.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/admissions/schedule_capacity.html", context)
