from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import DatabaseError
from django.utils import timezone

from programs import drafts
from programs.models import LevelOfCare, Page


class Command(BaseCommand):
    help = (
        "Publish the drafts whose publish date has come (set in the admin under “Publish the draft at”). "
        "Safe to run as often as you like, e.g. every minute from cron: a draft is published once."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        published = failed = 0
        for model in (LevelOfCare, Page):
            for obj in model.objects.filter(publish_at__lte=now).select_related("draft_updated_by"):
                if obj.draft is None and obj.is_published:
                    # Nothing left to publish (published by hand meanwhile).
                    model.objects.filter(pk=obj.pk).update(publish_at=None)
                    continue
                scheduled_by = obj.draft_updated_by
                when = timezone.localtime(obj.publish_at).strftime("%Y-%m-%d %H:%M")
                try:
                    drafts.publish(
                        obj,
                        user=scheduled_by,
                        comment=f"Published on schedule ({when}).",
                        validate=True,
                    )
                except (ValidationError, DatabaseError) as error:
                    failed += 1
                    self.stderr.write(
                        f"Could not publish {model._meta.verbose_name} “{obj}” (id {obj.pk}): {error}"
                    )
                    continue
                published += 1
                self.stdout.write(f"Published {model._meta.verbose_name} “{obj}”.")
        self.stdout.write(self.style.SUCCESS(f"{published} published, {failed} could not be published."))
