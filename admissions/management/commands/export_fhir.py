"""Write an admitted lead's FHIR R4 Bundle for the clinical record.

    manage.py export_fhir 896               # into ADMISSIONS_HANDOFF_DIR
    manage.py export_fhir 896 --dir /srv/handoff

Prints the file's path (owner-only; named by the lead's number, no patient
data) and writes an audit event.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from admissions.handoff.export import export_handoff
from admissions.handoff.record import NotAdmitted
from admissions.models import Lead


class Command(BaseCommand):
    help = "Write an admitted lead's FHIR R4 Bundle (Patient, Coverage, screening, admission) to a file."

    def add_arguments(self, parser):
        parser.add_argument("lead_id", type=int)
        parser.add_argument(
            "--dir", type=Path, help="directory to write into (default ADMISSIONS_HANDOFF_DIR)"
        )

    def handle(self, *, lead_id, dir=None, **options):
        lead = Lead.objects.filter(pk=lead_id).first()
        if lead is None:
            raise CommandError(f"No lead {lead_id}.")
        try:
            path = export_handoff(lead=lead, directory=dir)
        except NotAdmitted as exc:
            raise CommandError(
                f"Lead {lead_id} is not admitted: only admitted leads are handed off."
            ) from exc
        self.stdout.write(str(path))
