"""The inbox as filtered and searched, as CSV, for managers (export_lead)."""

import csv
import re

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone

from admissions.access.audit import audit_record
from admissions.models import AuditAction, LeadStatus, RequestKind

from .capacity import days, first_admitted_at

# What a manager needs to report on the pipeline (volume, sources, outcomes,
# speed to lead, workload) and nothing that identifies or describes the
# person: no name, phone, email, date of birth, member ID, message, notes or
# close reason (free text that may hold clinical detail). The lead number
# opens the record in the admin when someone must look closer.
EXPORT_COLUMNS = [
    "lead",
    "received",
    "status",
    "request",
    "level_of_care",
    "source",
    "coordinator",
    "first_contact",
    "minutes_to_first_contact",
    "follow_up",
    "last_activity",
    # First contact to the first move to Admitted, in days (empty until admitted).
    "days_to_admission",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # and fullwidth =+-@
# A ";" then a formula: spreadsheets in locales that split CSV on ";" start a new cell there.
FORMULA_AFTER_SEMICOLON = re.compile("(;\\s*)(?=[=+\\-@\uff1d\uff0b\uff0d\uff20])")


def csv_safe(value) -> str:
    """A spreadsheet must never run a cell as a formula (CSV injection)."""
    text = FORMULA_AFTER_SEMICOLON.sub(r"\1'", "" if value is None else str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


EXPORT_FIELDS = [
    "pk",
    "received_at",
    "status",
    "kind",
    "level_of_care__name",
    "source",
    "assigned_to__username",
    "first_contact_at",
    "follow_up_at",
    "last_activity_at",
    "admitted_at",
]
STATUS_LABELS = dict(LeadStatus.choices)
KIND_LABELS = dict(RequestKind.choices)


def export_rows(queryset):
    """CSV rows from plain tuples: at 100,000 leads, building a model instance
    per row would cost more than the query."""
    zone = timezone.get_current_timezone()

    def iso(value):
        return value.astimezone(zone).isoformat(timespec="minutes") if value else ""

    fields = queryset.annotate(admitted_at=first_admitted_at()).values_list(*EXPORT_FIELDS)
    for (
        pk,
        received,
        status,
        kind,
        level,
        source,
        username,
        contact,
        follow_up,
        activity,
        admitted,
    ) in fields.iterator(chunk_size=2000):
        minutes = round((contact - received).total_seconds() / 60) if contact else ""
        to_admission = days(admitted - contact) if admitted and contact else ""
        yield [
            csv_safe(value)
            for value in (
                pk,
                iso(received),
                STATUS_LABELS.get(status, status),
                KIND_LABELS.get(kind, kind),
                level or "Not sure",
                source,
                username or "",
                iso(contact),
                minutes,
                iso(follow_up),
                iso(activity),
                to_admission,
            )
        ]


class _Echo:
    def write(self, value):
        return value


def lead_export(model_admin, request):
    """The inbox as filtered and searched now, as CSV (export_lead only)."""
    if not request.user.has_perm("admissions.export_lead"):
        raise PermissionDenied
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        return HttpResponseBadRequest("These filters do not work together; clear them and try again.")
    queryset = changelist.queryset
    rows = changelist.result_count
    audit_record(
        action=AuditAction.EXPORT, request=request, object_type="admissions.lead", detail=f"rows={rows}"
    )
    writer = csv.writer(_Echo())

    def lines():
        # A few hundred rows per chunk: the response encodes each chunk, not each line.
        chunk = [writer.writerow(EXPORT_COLUMNS)]
        for row in export_rows(queryset):
            chunk.append(writer.writerow(row))
            if len(chunk) >= 500:
                yield "".join(chunk)
                chunk = []
        yield "".join(chunk)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="leads-{stamp}.csv"'
    response["Cache-Control"] = "no-store, private"
    return response
