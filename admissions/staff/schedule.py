"""Appointments and admission to a track, in the admin (routes in admissions/admin.py):

- `schedule_day`: the team's day (/admin/admissions/lead/schedule/?day=...):
  every appointment of one day in the center's time zone, the user's own
  first (the ones they hold or whose lead they coordinate), a list that works
  on a phone;
- `lead_schedule`: one lead's appointments (book, move, record kept / did
  not come / cancelled) and its admission (take a seat on a track or join
  its waitlist, free the seat, leave the list);
- `panel_for_lead`: the lead page's summary with a link here.

Forms are plain Django forms with labels, help and errors beside their
field, usable with JavaScript off; each POST runs one call of
admissions.services.scheduling and redirects. Every page view and write is
audited with ids only. Seeing needs view_appointment (and view_lead);
booking add_appointment, changing change_appointment, seats and waitlist
admit_to_track: the service refuses anyone else.
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone

from admissions.access.audit import audit_record
from admissions.contact import format_phone, tel_href
from admissions.models import (
    Appointment,
    AppointmentKind,
    AppointmentMode,
    AppointmentStatus,
    AuditAction,
    Lead,
    ProgramTrack,
    SeatEnd,
    TrackSeat,
    WaitlistEntry,
    WaitlistOutcome,
)
from admissions.models.scheduling import NOTES_MAX_LENGTH
from admissions.services import scheduling as service

from .display import person_name

LENGTHS = [(30, "30 minutes"), (45, "45 minutes"), (60, "1 hour"), (90, "1 hour 30"), (120, "2 hours")]


def schedule_staff():
    """Whom an appointment may be with, by name."""
    return (
        get_user_model()
        .objects.filter(pk__in=service.schedulable_staff_ids())
        .order_by("first_name", "last_name", "username")
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_name(obj)


class TrackChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        count = service.track_count(obj)
        if count.free:
            return f"{obj.name}: {count.free} of {count.seats} free"
        return f"{obj.name}: full, {count.waiting + count.kept} waiting"


class WhenForm(forms.Form):
    """Date and time in the center's time zone (two native pickers: they
    work on every phone and with a screen reader)."""

    day = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%m/%d/%Y"],
    )
    time = forms.TimeField(
        label="Time (Pacific)",
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
        input_formats=["%H:%M", "%I:%M %p", "%H:%M:%S"],
    )
    with_whom = StaffChoiceField(label="With", queryset=None, empty_label="Choose who sees the person")
    mode = forms.ChoiceField(
        label="In person or telehealth",
        choices=AppointmentMode.choices,
        widget=forms.RadioSelect,
        initial=AppointmentMode.IN_PERSON,
    )
    minutes = forms.TypedChoiceField(label="Length", choices=LENGTHS, coerce=int, initial=60)
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What to prepare or bring. Kept encrypted; never in the reminder email.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["with_whom"].queryset = schedule_staff()

    def starts_at(self) -> datetime.datetime:
        data = self.cleaned_data
        return timezone.make_aware(datetime.datetime.combine(data["day"], data["time"]))


class BookForm(WhenForm):
    kind = forms.ChoiceField(
        label="Appointment",
        choices=AppointmentKind.choices,
        widget=forms.RadioSelect,
        initial=AppointmentKind.ASSESSMENT,
    )
    field_order = ["kind", "day", "time", "with_whom", "mode", "minutes", "notes"]


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label="What happened",
        choices=[c for c in AppointmentStatus.choices if c[0] != AppointmentStatus.SCHEDULED],
        widget=forms.RadioSelect,
    )


class AdmitForm(forms.Form):
    track = TrackChoiceField(
        label="Track",
        queryset=ProgramTrack.objects.none(),
        empty_label="Choose a group or house",
        help_text="A full track puts the lead on its waitlist, first come, first served.",
    )
    starts_on = forms.DateField(
        label="First day",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%m/%d/%Y"],
        help_text="The day the person starts in the group or moves in.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = ProgramTrack.objects.filter(active=True).order_by("level", "name")


class FreeSeatForm(forms.Form):
    end = forms.ChoiceField(label="Why the seat frees", choices=SeatEnd.choices, widget=forms.RadioSelect)


class LeaveForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Why the lead leaves the list",
        choices=[
            (WaitlistOutcome.DECLINED, WaitlistOutcome.DECLINED.label),
            (WaitlistOutcome.REMOVED, WaitlistOutcome.REMOVED.label),
        ],
        widget=forms.RadioSelect,
    )


# Reads --------------------------------------------------------------------------------


def _require_view(user):
    if not (user.is_active and user.has_perm(service.VIEW) and user.has_perm("admissions.view_lead")):
        raise PermissionDenied


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Local midnight to the next local midnight (23 or 25 hours on a DST day)."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))
    return start, end


def day_appointments(day: datetime.date, *, user) -> list[Appointment]:
    """Every appointment of a local day, the user's own first (theirs to
    hold or their lead's), then by time."""
    start, end = day_bounds(day)
    mine = Q(with_whom=user) | Q(lead__assigned_to=user)
    return list(
        Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("lead", "lead__assigned_to", "with_whom")
        .annotate(mine=Case(When(mine, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("mine", "starts_at", "id")
    )


def _time(value) -> str:
    return formats.time_format(timezone.localtime(value), "P")


def appointment_row(appointment: Appointment, *, user) -> dict:
    lead = appointment.lead
    return {
        "appointment": appointment,
        "time": f"{_time(appointment.starts_at)} to {_time(appointment.ends_at)}",
        "when": service.when_words(appointment.starts_at),
        "kind": appointment.get_kind_display(),
        "mode": appointment.get_mode_display(),
        "status": appointment.get_status_display(),
        "scheduled": appointment.status == AppointmentStatus.SCHEDULED,
        "with_whom": person_name(appointment.with_whom),
        "mine": appointment.with_whom_id == user.pk or lead.assigned_to_id == user.pk,
        "lead": lead,
        "name": f"{lead.first_name} {lead.last_name}",
        "phone": format_phone(lead.phone),
        "tel": tel_href(lead.phone) if lead.phone else "",
        "coordinator": person_name(lead.assigned_to) or "Unassigned",
        "url": reverse("admin:admissions_lead_schedule", args=[lead.pk]),
        "notes": appointment.notes,
    }


def lead_admission(lead: Lead) -> dict:
    """The seat the lead holds, its place on a waitlist (and whether a seat is kept for it)."""
    seat = TrackSeat.objects.filter(lead=lead, freed_at__isnull=True).select_related("track").first()
    entry = WaitlistEntry.objects.filter(lead=lead, closed_at__isnull=True).select_related("track").first()
    return {
        "seat": seat,
        "entry": entry,
        "place": service.waitlist_place(entry) if entry is not None else 0,
        "past_seats": list(
            TrackSeat.objects.filter(lead=lead, freed_at__isnull=False)
            .select_related("track")
            .order_by("-taken_at")
        ),
    }


class DayForm(forms.Form):
    day = forms.DateField(
        label="Day",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%m/%d/%Y"],
    )


# The team's day -------------------------------------------------------------------------


def schedule_day(model_admin, request):
    _require_view(request.user)
    form = DayForm(request.GET or None)
    today = timezone.localdate()
    day = today
    if form.is_bound and form.is_valid() and form.cleaned_data["day"]:
        day = form.cleaned_data["day"]
    elif not form.is_bound:
        form = DayForm(initial={"day": today})
    rows = [appointment_row(a, user=request.user) for a in day_appointments(day, user=request.user)]
    audit_record(
        action=AuditAction.VIEW,
        request=request,
        object_type="admissions.appointment",
        detail=f"day {day.isoformat()}; rows={len(rows)}",
    )
    url = reverse("admin:admissions_lead_schedule_day")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Appointments: {service.day_words(day)}" + (" (today)" if day == today else ""),
        "subtitle": None,
        "form": form,
        "day": day,
        "rows": rows,
        "mine": [r for r in rows if r["mine"]],
        "others": [r for r in rows if not r["mine"]],
        "previous_url": f"{url}?day={(day - datetime.timedelta(days=1)).isoformat()}",
        "next_url": f"{url}?day={(day + datetime.timedelta(days=1)).isoformat()}",
        "today_url": url if day != today else "",
        "can_see_capacity": request.user.has_perm("admissions.view_programtrack"),
        "media": model_admin.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/admissions/schedule_day.html", context)


# One lead -------------------------------------------------------------------------------


ACTIONS = ("book", "change", "close", "admit", "free", "leave")
DONE = {
    "book": "Appointment booked.",
    "change": "Appointment changed.",
    "close": "Appointment recorded.",
    "free": "Seat freed; the waitlist was offered it.",
    "leave": "Taken off the waitlist.",
}
# The service names the time `starts_at`; the form asks for a date and a time.
FIELD_FOR = {"starts_at": "day"}


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            field = FIELD_FOR.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _appointment_of(lead: Lead, request) -> Appointment:
    try:
        pk = int(request.POST.get("appointment", ""))
    except ValueError:
        raise Http404("No such appointment.") from None
    return get_object_or_404(Appointment, pk=pk, lead=lead)


def _run(request, lead: Lead, action: str):
    """(form, message) after one write; the form carries its errors when it failed."""
    user = request.user
    post = request.POST
    if action == "book":
        form = BookForm(post, prefix="book")
        if form.is_valid():
            data = form.cleaned_data
            service.appointment_book(
                lead=lead,
                actor=user,
                kind=data["kind"],
                starts_at=form.starts_at(),
                with_whom=data["with_whom"],
                mode=data["mode"],
                minutes=data["minutes"],
                notes=data["notes"],
            )
        return form, DONE[action]
    if action == "change":
        appointment = _appointment_of(lead, request)
        form = WhenForm(post, prefix=f"change-{appointment.pk}")
        if form.is_valid():
            data = form.cleaned_data
            service.appointment_change(
                appointment=appointment,
                actor=user,
                starts_at=form.starts_at(),
                with_whom=data["with_whom"],
                mode=data["mode"],
                minutes=data["minutes"],
                notes=data["notes"],
            )
        return form, DONE[action]
    if action == "close":
        appointment = _appointment_of(lead, request)
        form = CloseForm(post, prefix=f"close-{appointment.pk}")
        if form.is_valid():
            service.appointment_close(appointment=appointment, actor=user, status=form.cleaned_data["status"])
        return form, DONE[action]
    if action == "admit":
        form = AdmitForm(post, prefix="admit")
        if form.is_valid():
            result = service.lead_admit(
                lead=lead,
                track=form.cleaned_data["track"],
                actor=user,
                starts_on=form.cleaned_data["starts_on"],
            )
            track = form.cleaned_data["track"].name
            if result.admitted:
                return form, f"Admitted to {track}: the seat is taken."
            return form, f"{track} is full: the lead is on its waitlist, place {result.place}."
        return form, ""
    if action == "free":
        seat = get_object_or_404(TrackSeat, pk=post.get("seat") or 0, lead=lead, freed_at__isnull=True)
        form = FreeSeatForm(post, prefix="free")
        if form.is_valid():
            service.seat_free(seat=seat, actor=user, end=form.cleaned_data["end"])
        return form, DONE[action]
    entry = get_object_or_404(WaitlistEntry, pk=post.get("entry") or 0, lead=lead, closed_at__isnull=True)
    form = LeaveForm(post, prefix="leave")
    if form.is_valid():
        service.waitlist_leave(entry=entry, actor=user, outcome=form.cleaned_data["outcome"])
    return form, DONE[action]


def lead_schedule(model_admin, request, lead_id: int):
    _require_view(request.user)
    lead = get_object_or_404(Lead.objects.select_related("assigned_to"), pk=lead_id)
    failed = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            return HttpResponseBadRequest("Unknown action.")
        try:
            form, done = _run(request, lead, action)
        except ValidationError as error:  # the service refused: the form says why
            form = _posted_form(request, action)
            _apply_errors(form, error)
            done = ""
        if form.is_bound and form.is_valid() and not form.errors:
            audit_record(action=AuditAction.CHANGE, request=request, obj=lead, detail=f"schedule {action}")
            model_admin.log_change(request, lead, [{"changed": {"fields": [f"schedule {action}"]}}])
            messages.success(request, done)
            return HttpResponseRedirect(request.get_full_path())
        failed = (action, request.POST.get("appointment", ""), form)
        status = 400
    else:
        audit_record(action=AuditAction.VIEW, request=request, obj=lead, detail="schedule")
    return _render(model_admin, request, lead, failed=failed, status=status)


def _posted_form(request, action):
    """A fresh bound form for the action (the service refused after it validated)."""
    post = request.POST
    prefix = {
        "change": f"change-{post.get('appointment', '')}",
        "close": f"close-{post.get('appointment', '')}",
    }.get(action, action)
    form_class = {
        "book": BookForm,
        "change": WhenForm,
        "close": CloseForm,
        "admit": AdmitForm,
        "free": FreeSeatForm,
        "leave": LeaveForm,
    }[action]
    form = form_class(post, prefix=prefix)
    form.is_valid()
    return form


def _change_form(appointment: Appointment) -> WhenForm:
    local = timezone.localtime(appointment.starts_at)
    return WhenForm(
        prefix=f"change-{appointment.pk}",
        initial={
            "day": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "with_whom": appointment.with_whom_id,
            "mode": appointment.mode,
            "minutes": appointment.minutes,
            "notes": appointment.notes,
        },
    )


def _render(model_admin, request, lead, *, failed=None, status=200):
    user = request.user
    failed_action, failed_pk, failed_form = failed or ("", "", None)
    can_change = user.has_perm(service.CHANGE)
    rows = []
    for appointment in (
        Appointment.objects.filter(lead=lead).select_related("lead", "with_whom").order_by("-starts_at")
    ):
        row = appointment_row(appointment, user=user)
        if can_change and row["scheduled"]:
            is_failed = failed_pk == str(appointment.pk)
            row["change_form"] = (
                failed_form if is_failed and failed_action == "change" else _change_form(appointment)
            )
            row["close_form"] = (
                failed_form
                if is_failed and failed_action == "close"
                else CloseForm(prefix=f"close-{appointment.pk}")
            )
            row["open"] = is_failed
        rows.append(row)
    admission = lead_admission(lead)
    can_admit = user.has_perm(service.ADMIT)
    admit_form = None
    if can_admit and admission["seat"] is None:
        if failed_action == "admit":
            admit_form = failed_form
        else:
            entry = admission["entry"]
            track = entry.track if entry is not None else None
            start = timezone.localdate()
            if track is not None and track.next_start_on and track.next_start_on > start:
                start = track.next_start_on
            admit_form = AdmitForm(prefix="admit", initial={"track": track, "starts_on": start})
    book_form = None
    if user.has_perm(service.BOOK):
        book_form = (
            failed_form
            if failed_action == "book"
            else BookForm(prefix="book", initial={"with_whom": user.pk})
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Schedule and admission: {lead.first_name} {lead.last_name}",
        "subtitle": None,
        "lead": lead,
        "rows": rows,
        "book_form": book_form,
        "admit_form": admit_form,
        "free_form": (failed_form if failed_action == "free" else FreeSeatForm(prefix="free"))
        if can_admit and admission["seat"]
        else None,
        "leave_form": (failed_form if failed_action == "leave" else LeaveForm(prefix="leave"))
        if can_admit and admission["entry"]
        else None,
        "failed_action": failed_action,
        **admission,
        "media": model_admin.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/admissions/schedule_lead.html", context, status=status)


# The lead page's panel ------------------------------------------------------------------


def panel_for_lead(lead: Lead, *, user) -> dict | None:
    """The next appointment, the seat or waitlist place, and the link to the
    schedule page; None for a reader without view_appointment."""
    if not user.has_perm(service.VIEW):
        return None
    now = timezone.now()
    upcoming = (
        Appointment.objects.filter(
            lead=lead, status=AppointmentStatus.SCHEDULED, starts_at__gte=now - service.BOOK_GRACE
        )
        .select_related("with_whom")
        .order_by("starts_at")
    )
    facts = []
    for appointment in upcoming[:3]:
        facts.append(
            (
                appointment.get_kind_display(),
                f"{service.when_words(appointment.starts_at)}, {appointment.get_mode_display().lower()}, "
                f"with {person_name(appointment.with_whom)}",
            )
        )
    admission = lead_admission(lead)
    if admission["seat"] is not None:
        seat = admission["seat"]
        facts.append(("Seat", f"{seat.track.name}, first day {service.day_words(seat.starts_on)}"))
    if admission["entry"] is not None:
        entry = admission["entry"]
        waiting = f"{entry.track.name}, place {admission['place']}"
        if entry.offered_at:
            waiting += ": a seat is kept for them, call to take it"
        facts.append(("Waitlist", waiting))
    return {
        "facts": facts,
        "url": reverse("admin:admissions_lead_schedule", args=[lead.pk]),
        "can_book": user.has_perm(service.BOOK),
    }
