from django.core.management.base import BaseCommand
from django.db import transaction

from programs.demo_content import load_demo_content


class Command(BaseCommand):
    help = (
        "Create or update the demo site content (levels of care, services, plain pages, site facts). "
        "Safe to run again: rows are matched by slug and updated in place."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = load_demo_content()
        summary = ", ".join(f"{n} {label}" for label, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo content loaded: {summary}."))
