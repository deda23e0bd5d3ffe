"""The coordinator's day (/admin/admissions/lead/today/): new leads waiting
for a first call and follow-ups due today or overdue, the user's own first.
A list, not a table, so it is the inbox a coordinator uses on a phone."""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone

from admissions.access.audit import audit_record
from admissions.contact import format_phone, tel_href
from admissions.models import AuditAction

from . import selectors
from .display import format_duration, format_when, person_name


def lead_today(model_admin, request):
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    now = timezone.now()
    rows = []
    for lead in selectors.today_leads(request.user, now=now):
        if lead.follow_up_at and lead.follow_up_at < now:
            why = f"Follow-up overdue since {format_when(lead.follow_up_at, short=True)}"
        elif lead.follow_up_at and lead.first_contact_at is not None:
            why = f"Follow-up due {format_when(lead.follow_up_at, short=True)}"
        else:
            why = f"New, waiting {format_duration(now - lead.received_at)}"
        rows.append(
            {
                "lead": lead,
                "name": f"{lead.first_name} {lead.last_name}",
                "phone": format_phone(lead.phone),
                "tel": tel_href(lead.phone) if lead.phone else "",
                "why": why,
                "mine": lead.assigned_to_id == request.user.pk,
                "coordinator": person_name(lead.assigned_to) or "Unassigned",
            }
        )
    audit_record(action=AuditAction.VIEW, request=request, object_type="admissions.lead", detail="today")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Today",
        "rows": rows,
        "media": model_admin.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/admissions/lead/today.html", context)
