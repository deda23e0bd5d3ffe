"""Admin pages for rows that are evidence or counts: shown, never edited."""


class ReadOnlyAdminMixin:
    """No add, change or delete for anyone, superusers included; viewing follows
    the view permission as usual. An admin that allows one of these on purpose
    overrides that method and says why."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
