from django.apps import AppConfig


class AdmissionsConfig(AppConfig):
    name = "admissions"
    verbose_name = "Admissions"

    def ready(self):
        # Audit of logins, failures, lockouts and logouts (signal receivers),
        # and the read-only audit trail in the admin.
        from . import audit_admin, security  # noqa: F401
