"""How the staff pages write times, people, durations and masked values.
Ground level for admissions.staff (and the eligibility panel): no queries."""

import datetime

from django.utils import formats, timezone


def format_when(value, *, short=False) -> str:
    """Local time; short ("Nov. 24, 4:47 p.m.") in list columns, the year only when it is not this year."""
    if not value:
        return ""
    local = timezone.localtime(value)
    if short:
        pattern = "N j, P" if local.year == timezone.localdate().year else "N j, Y, P"
        return formats.date_format(local, pattern)
    return formats.date_format(local, "DATETIME_FORMAT")


def person_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def hours(value) -> str:
    if value is None:
        return "–"
    return f"{value:g} h" if value >= 1 or value == 0 else f"{round(value * 60)} min"


def format_duration(delta: datetime.timedelta | None) -> str:
    if delta is None:
        return "no contacts yet"
    minutes = round(delta.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes / 1440:.1f} days"


def mask_tail(value: str, keep: int = 4) -> str:
    """'W123456789' -> '****6789'; short values are hidden entirely."""
    value = value or ""
    if not value:
        return ""
    return "****" + value[-keep:] if len(value) > keep + 2 else "****"


def mask_date_of_birth(value) -> str:
    """Only the year, which HIPAA's safe harbour allows (MM/DD hidden)."""
    return f"**/**/{value.year}" if value else ""
