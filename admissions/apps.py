from django.apps import AppConfig


class AdmissionsConfig(AppConfig):
    name = "admissions"
    verbose_name = "Admissions"

    def ready(self):
        # Audit of logins, failures, lockouts and logouts (signal receivers),
        # and the read-only audit trail in the admin.
        # The public /insurance/ page lists the payer directory (programs.insurers).
        from programs import insurers

        from .access import admin, signals  # noqa: F401
        from .eligibility import payers
        from .intake import reference

        insurers.use_directory(payers.PAYERS)
        # Consent wording and carriers kept per worker, reloaded on every save.
        reference.connect_signals()
