"""Queue every staff alert and auto-reply a stored request is still owed.

Run every minute (deploy/systemd/sheer-owed-alerts.timer). A request owes its
alert until `staff_alert_sent_at` is set, and its auto-reply until
`auto_reply_sent_at` is set; this queues one when no task for it is waiting,
running or done: the enqueue was lost (database restart right after the
commit), or every attempt failed an hour or more ago (mail outage). Requests
younger than a minute or older than two days are left alone. Idempotent and
safe with several copies at once (admissions/intake/notifications.py).
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from admissions.intake.notifications import owed_notifications_enqueue
from admissions.intake.spam import rate_counts_purge


class Command(BaseCommand):
    help = "Queue staff alerts and auto-replies that stored requests are still owed."

    def handle(self, *, verbosity, **options):
        queued = owed_notifications_enqueue()
        # Rate-limit counts of windows long over (admissions.intake.spam.rate_limit_take).
        window = datetime.timedelta(seconds=2 * settings.ADMISSIONS_RATE_WINDOW_SECONDS)
        rate_counts_purge(before=timezone.now() - window)
        if verbosity:
            self.stdout.write(f"queued {len(queued)} owed message(s)")
        for name, kind, pk in queued if verbosity > 1 else ():
            self.stdout.write(f"  {name} {kind} {pk}")
