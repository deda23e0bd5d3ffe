from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Programs and site content"

    def ready(self):
        from .content_cache import content_changed

        # Any change to site content invalidates what workers keep in memory.
        for model in self.get_models():
            post_save.connect(content_changed, sender=model, dispatch_uid=f"content-save-{model.__name__}")
            post_delete.connect(
                content_changed, sender=model, dispatch_uid=f"content-delete-{model.__name__}"
            )
        m2m_changed.connect(
            content_changed,
            sender=self.get_model("LevelOfCare").services.through,
            dispatch_uid="content-services",
        )
        m2m_changed.connect(
            content_changed,
            sender=self.get_model("LevelOfCare").team.through,
            dispatch_uid="content-team",
        )
        from .renditions import picture_saved

        # Renditions are made once, when a picture is saved (and again on
        # first request if the media directory lost them).
        post_save.connect(picture_saved, sender=self.get_model("Picture"), dispatch_uid="picture-renditions")
