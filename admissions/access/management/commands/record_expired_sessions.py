"""Record the idle logoff of staff sessions that expired unseen.

StaffSessionMiddleware records an idle logoff when the person comes back
after the idle time; but the session cookie and the stored session expire
with the idle time too, so someone who walked away never comes back with
that session and no logoff was ever recorded. This finds the stored sessions
past their expiry that belonged to a signed-in user, writes one LOGOUT event
for each ("idle timeout; session expired unseen", with the time of the last
activity) and deletes the session, so each is recorded once. Run it every
few minutes (deploy/systemd/sheer-expired-sessions.timer); it also does the
work of Django's clearsessions for the database session store.
"""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from admissions.models import AuditAction

from ...audit import audit_record

IDLE_UNSEEN = "idle timeout; session expired unseen, last activity {at:%Y-%m-%d %H:%M} UTC"


class Command(BaseCommand):
    help = "Record an idle logoff for every staff session that expired unseen, then delete it."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, batch, **options):
        if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
            self.stdout.write("Sessions are not in the database: nothing to do.")
            return
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        users = get_user_model()._default_manager
        recorded = removed = 0
        while True:
            now = timezone.now()
            keys = list(
                Session.objects.filter(expire_date__lt=now).values_list("session_key", flat=True)[:batch]
            )
            if not keys:
                break
            for key in keys:
                with transaction.atomic():
                    session = Session.objects.select_for_update(skip_locked=True).filter(pk=key).first()
                    if session is None or session.expire_date >= now:
                        continue
                    user_id = store.decode(session.session_data).get(SESSION_KEY)
                    session.delete()
                    removed += 1
                    user = users.filter(pk=user_id).first() if user_id else None
                    if user is not None:
                        last_activity = session.expire_date - timedelta(seconds=settings.SESSION_COOKIE_AGE)
                        audit_record(
                            action=AuditAction.LOGOUT,
                            user=user,
                            detail=IDLE_UNSEEN.format(at=last_activity.astimezone(timezone.UTC)),
                        )
                        recorded += 1
        self.stdout.write(f"expired sessions removed={removed} idle logoffs recorded={recorded}")
