"""Writing the append-only audit trail: who looked at, changed, exported or downloaded
which lead or file, and every login, failure, lockout and permission denial.

No patient data goes in: an event names the object by type and id only.
Call ``audit_record`` from views and admin hooks; never write AuditEvent
rows any other way.
"""

from django.utils import timezone

from admissions.models import AuditAction, AuditEvent


def client_ip(request) -> str | None:
    # REMOTE_ADDR is the proxy's address unless nginx sets it from the client;
    # deploy/nginx passes the client address through (see docs/deploy.md).
    return request.META.get("REMOTE_ADDR") if request is not None else None


def audit_record(
    *, action: str, request=None, user=None, obj=None, object_type: str = "", object_id="", detail=""
):
    """Write one audit event. ``detail`` must never hold patient data (e.g.
    'card_front', 'rows=25', a username for a failed login)."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditEvent.objects.create(
        at=timezone.now(),
        user=user,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=str(detail)[:200],
        ip_address=client_ip(request),
    )


def audit_list_view(request, response):
    """One VIEW event for a list page that was shown (the lead inbox, the
    submission lists: names, carrier, state, masked IDs are on them): which
    list and how many rows, never the filters or search terms. Returns the
    response."""
    context = getattr(response, "context_data", None) or {}
    changelist = context.get("cl")
    if response.status_code == 200 and changelist is not None:
        audit_record(
            action=AuditAction.VIEW,
            request=request,
            object_type=changelist.model._meta.label_lower,
            detail=f"list; rows={len(changelist.result_list)}",
        )
    return response
