"""What the clinical record receives about an admitted lead, read once from
the database into plain dataclasses. Every field is either what the lead told
us or empty: the FHIR builder leaves out whatever is empty, so the bundle never
holds a field the lead lacks."""

import datetime
from dataclasses import dataclass

from admissions.models import (
    Appointment,
    AppointmentKind,
    AppointmentMode,
    AppointmentStatus,
    ConsultationRequest,
    InsuranceVerification,
    Lead,
    LeadStatus,
    PolicyHolder,
    PreAdmissionScreening,
    TrackSeat,
    WhoNeedsHelp,
)


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    birth_date: datetime.date | None = None
    phone: str = ""
    email: str = ""
    language: str = ""  # BCP-47: "en", "es"
    relationship: str = ""  # to the patient, in the caller's words (people other than the patient)


@dataclass(frozen=True)
class Insurance:
    payer: str
    member_id: str
    group_number: str = ""
    holder: Person | None = None  # None: the patient holds the policy


@dataclass(frozen=True)
class ScreeningItem:
    """One answered question of the pre-admission screen."""

    link_id: str
    text: str
    answer: str


@dataclass(frozen=True)
class Screening:
    completed_at: datetime.datetime
    items: tuple[ScreeningItem, ...]


@dataclass(frozen=True)
class Admission:
    level_of_care: str
    start: datetime.datetime | None = None  # the admission appointment, when booked
    end: datetime.datetime | None = None
    with_whom: str = ""
    telehealth: bool = False
    kept: bool = False  # the person came to the admission appointment
    track: str = ""  # the group or house whose seat they took
    first_day: datetime.date | None = None


@dataclass(frozen=True)
class HandoffRecord:
    lead_id: int
    patient: Person
    caller: Person | None  # the person who called for the patient, when not the patient
    insurance: Insurance | None
    admission: Admission
    screening: Screening | None = None


class NotAdmitted(Exception):
    """Only an admitted lead is handed to the clinical record."""


def _latest(model, lead):
    return model.objects.filter(lead=lead).order_by("-submitted_at", "-pk").first()


def _shown(obj, name: str) -> str:
    """An answer as the coordinator saw it: the label of a choice, a date as ISO."""
    value = getattr(obj, name)
    if value in ("", None):
        return ""
    field = obj._meta.get_field(name)
    if field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def screening_of(lead: Lead) -> Screening | None:
    """The screen the admission rests on: the newest signed-off one, else the newest."""
    screenings = PreAdmissionScreening.objects.filter(lead=lead)
    chosen = screenings.exclude(decision="").order_by("-signed_off_at", "-pk").first() or screenings.first()
    if chosen is None:
        return None
    items = []
    for number, substance in enumerate(chosen.substances.all(), start=1):
        told = [_shown(substance, name) for name in substance.ANSWER_FIELDS]
        items.append(
            ScreeningItem(f"substance-{number}", f"Substance {number}", "; ".join(t for t in told if t))
        )
    for name in chosen.ANSWER_FIELDS:
        label = str(chosen._meta.get_field(name).verbose_name)
        items.append(ScreeningItem(name, label[:1].upper() + label[1:], _shown(chosen, name)))
    if chosen.is_signed_off:
        items.append(ScreeningItem("decision", "Clinician's decision", _shown(chosen, "decision")))
        items.append(ScreeningItem("decision_note", "Clinician's note", chosen.decision_note))
    return Screening(completed_at=chosen.signed_off_at or chosen.updated_at, items=tuple(items))


def admission_of(lead: Lead) -> Admission:
    """The admission as scheduled: the latest admission appointment not
    cancelled, and the seat the lead took (its track and first day)."""
    appointment = (
        Appointment.objects.filter(lead=lead, kind=AppointmentKind.ADMISSION)
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("with_whom")
        .order_by("-starts_at")
        .first()
    )
    seat = TrackSeat.objects.filter(lead=lead).select_related("track").order_by("-taken_at").first()
    level = lead.level_of_care.name if lead.level_of_care_id else ""
    if seat is not None:
        level = seat.track.get_level_display()
    fields = {"level_of_care": level}
    if seat is not None:
        fields.update(track=seat.track.name, first_day=seat.starts_on)
    if appointment is not None:
        staff = appointment.with_whom
        fields.update(
            start=appointment.starts_at,
            end=appointment.starts_at + datetime.timedelta(minutes=appointment.minutes),
            with_whom=(staff.get_full_name() or staff.get_username()) if staff else "",
            telehealth=appointment.mode == AppointmentMode.TELEHEALTH,
            kept=appointment.status == AppointmentStatus.KEPT,
        )
    return Admission(**fields)


def handoff_record(lead: Lead, *, screening: Screening | None = None, admission: Admission | None = None):
    """The record of an admitted lead. `screening` and `admission` come from
    the screening and scheduling rooms when they have one for this lead."""
    if lead.status != LeadStatus.ADMITTED:
        raise NotAdmitted(f"lead {lead.pk} is not admitted")
    consultation = _latest(ConsultationRequest, lead)
    insurance = _latest(InsuranceVerification, lead)
    language = ""
    for submission in (consultation, insurance):
        if submission is not None and submission.preferred_language:
            language = submission.preferred_language
            break

    for_someone_else = consultation is not None and consultation.who_needs_help == WhoNeedsHelp.LOVED_ONE
    caller = None
    if for_someone_else:
        caller = Person(
            first_name=lead.first_name,
            last_name=lead.last_name,
            phone=lead.phone,
            email=lead.email,
            relationship=consultation.caller_relation,
        )
    if insurance is not None:  # the insurance form asks for the patient's own name
        patient_first, patient_last = insurance.first_name, insurance.last_name
    elif for_someone_else:
        patient_first, patient_last = consultation.patient_first_name, consultation.patient_last_name
    else:
        patient_first, patient_last = lead.first_name, lead.last_name
    patient = Person(
        first_name=patient_first,
        last_name=patient_last,
        birth_date=insurance.date_of_birth if insurance is not None else None,
        # The phone and email reach the caller; they are the patient's only
        # when the patient called for themselves.
        phone="" if for_someone_else else lead.phone,
        email="" if for_someone_else else lead.email,
        language=language,
    )

    coverage = None
    if insurance is not None:
        holder = None
        if insurance.policy_holder == PolicyHolder.SOMEONE_ELSE:
            holder = Person(
                first_name=insurance.holder_first_name,
                last_name=insurance.holder_last_name,
                birth_date=insurance.holder_date_of_birth,
                relationship=insurance.holder_relationship,
            )
        coverage = Insurance(
            payer=insurance.carrier.name if insurance.carrier_id else insurance.carrier_other,
            member_id=insurance.member_id,
            group_number=insurance.group_number,
            holder=holder,
        )

    if screening is None:
        screening = screening_of(lead)
    if admission is None:
        admission = admission_of(lead)
    return HandoffRecord(
        lead_id=lead.pk,
        patient=patient,
        caller=caller,
        insurance=coverage,
        admission=admission,
        screening=screening,
    )
