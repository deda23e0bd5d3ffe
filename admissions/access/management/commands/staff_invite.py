"""An enrolment link from the command line: the first superuser (made with
createsuperuser, which sets no second factor), or a reset when nobody who may
invite can sign in. Prints the one-time link once; audited like the page."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from admissions.models import AuditAction

from ...audit import audit_record
from ...mfa import enrolment_link, remove_second_factors
from ...models import StaffInvitation


class Command(BaseCommand):
    help = "Print a one-time enrolment link for a staff user (--reset: their second factors stop working)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reset", action="store_true", help="a lost device: remove their second factors")

    def handle(self, *args, username, reset, **options):
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None or not user.is_staff:
            raise CommandError(f"No staff user {username!r}.")
        with transaction.atomic():
            if reset:
                remove_second_factors(user)
            purpose = StaffInvitation.Purpose.RESET if reset else StaffInvitation.Purpose.ENROL
            invitation, token = StaffInvitation.issue(user=user, purpose=purpose, created_by=None)
            audit_record(
                action=AuditAction.CHANGE,
                obj=invitation,
                detail=f"invitation ({purpose}) for user {user.pk} from the command line",
            )
        self.stdout.write(enrolment_link(token))
