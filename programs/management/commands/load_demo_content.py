import reversion
from django.core.management.base import BaseCommand

from programs.demo_content import load_demo_content


class Command(BaseCommand):
    help = (
        "Add the demo site content that is missing (levels of care, services, plain pages, site facts), "
        "each with a first version in its history. Safe to run again: content that exists, edited or not, "
        "is left as it is. --reset puts the demo text back (recorded as a new version)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Overwrite the demo rows with the demo text and publish it, dropping their drafts.",
        )

    def handle(self, *args, reset=False, **options):
        comment = "Demo content restored (load_demo_content --reset)" if reset else "Demo content loaded"
        # One revision: every row written gets a version with this comment; a
        # run that writes nothing records nothing.
        with reversion.create_revision():
            reversion.set_comment(comment)
            counts = load_demo_content(reset=reset)
        summary = ", ".join(f"{n} {label}" for label, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo content loaded: {summary}."))
