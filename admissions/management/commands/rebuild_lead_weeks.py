"""Count the dashboard's leads per week again from the leads
(admissions.models.weekly): after changing TIME_ZONE, or to check the trigger."""

from django.core.management.base import BaseCommand

from admissions.models import lead_weeks_rebuild


class Command(BaseCommand):
    help = "Re-create the weekly lead counts trigger and count every lead again."

    def handle(self, *args, **options):
        rows = lead_weeks_rebuild()
        self.stdout.write(f"{rows} weekly count rows written.")
