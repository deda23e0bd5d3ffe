from django.apps import AppConfig


class StaffAccessConfig(AppConfig):
    """Staff security as its own app: second-factor devices with their secrets
    sealed and staff invitations (models.py), and the commands in
    management/. Listed after the django-otp plugins: its admin.py takes their
    admin pages (which show secrets) away. The receivers and the audit trail's
    admin are connected by admissions.apps.AdmissionsConfig."""

    name = "admissions.access"
    label = "staff_access"
    verbose_name = "Staff access"
    default_auto_field = "django.db.models.BigAutoField"
