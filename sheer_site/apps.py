from django.apps import AppConfig


class SheerSiteConfig(AppConfig):
    """The project itself as an app: fleet checks and operations commands."""

    name = "sheer_site"
    verbose_name = "Sheer Recovery site"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy checks)
