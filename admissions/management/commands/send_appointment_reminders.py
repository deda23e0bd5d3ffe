"""Email the coordinator shortly before each appointment.

Run every minute (deploy/systemd/sheer-appointment-reminders.timer). An
appointment still scheduled, starting within ADMISSIONS_APPOINTMENT_REMINDER_MINUTES
(default 60) and not yet reminded gets one mail to the lead's coordinator and
the staff member it is with: the lead number, the kind, the time, in person
or video and a staff link, never a name, a phone number or the notes. A moved
appointment is reminded again. Safe with several copies at once (each row is
locked, SKIP LOCKED); a mail failure leaves it for the next run
(admissions.services.scheduling.appointment_reminders_send).
"""

from django.core.management.base import BaseCommand

from admissions.services.scheduling import appointment_reminders_send


class Command(BaseCommand):
    help = "Email coordinators about appointments starting soon (lead number and time only)."

    def handle(self, *, verbosity, **options):
        counts = appointment_reminders_send()
        if verbosity:
            self.stdout.write(
                f"sent={counts['sent']} failed={counts['failed']} no_address={counts['no_address']}"
            )
