"""The audit trail in the admin: managers read it, nobody edits it.

Registered from AdmissionsConfig.ready(). Every has_*_permission that could
change a row is False (ReadOnlyAdminMixin) for everyone, superusers included; reading needs the
view_auditevent permission (the Admissions manager role has it).
"""

from django.contrib import admin

from admissions.models import AuditEvent

from .readonly import ReadOnlyAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "action", "user", "object_type", "object_id", "ip_address", "detail"]
    list_filter = ["action", ("at", admin.DateFieldListFilter), ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["object_id", "user__username", "ip_address"]
    date_hierarchy = "at"
    list_select_related = ["user"]
    readonly_fields = list_display
    list_per_page = 100
    # A plain count of a big, append-only table is slow; the pager does without it.
    show_full_result_count = False
