"""Erase the patient data of leads closed or inactive for longer than
LEAD_RETENTION_DAYS (default 90): run it daily (README: cron or systemd timer).

For each such lead, in its own transaction: its card photos first (sealed
rows in admissions_cardphoto, deleted through the storage API, so they go in
the same transaction as the rest; on PostgreSQL a trigger would also take
them with their request row), then its rows (the
lead with its keyed phone/email hashes, its submissions, its timeline, its
pre-admission screenings, its appointments, seat and waitlist place (a seat
it held is offered to the next lead waiting) and anything else that cascades
from it), and the
admin history and versions that name it. The audit trail keeps its rows
(they hold ids, never patient data) and gains one event per run with the
counts. Safe to run twice: a second run finds nothing; --dry-run only counts.
"""

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import NestedObjects
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from admissions.access.audit import audit_record
from admissions.models import (
    FINAL_STATUSES,
    Appointment,
    AuditAction,
    ConsultationRequest,
    InsuranceVerification,
    Lead,
    LeadEvent,
    PreAdmissionScreening,
)
from admissions.services.scheduling import lead_scheduling_erase


def expired_leads(cutoff):
    """Leads with no activity of any kind since `cutoff`: the lead's own
    last_activity_at, and no event or submission after it either (in case a
    writer forgot to touch last_activity_at)."""
    newer = [
        LeadEvent.objects.filter(lead=OuterRef("pk"), at__gte=cutoff),
        ConsultationRequest.objects.filter(lead=OuterRef("pk"), submitted_at__gte=cutoff),
        InsuranceVerification.objects.filter(lead=OuterRef("pk"), submitted_at__gte=cutoff),
        PreAdmissionScreening.objects.filter(lead=OuterRef("pk"), updated_at__gte=cutoff),
        # A booked appointment still to come, or changed lately, keeps the lead.
        Appointment.objects.filter(lead=OuterRef("pk"), starts_at__gte=cutoff),
        Appointment.objects.filter(lead=OuterRef("pk"), updated_at__gte=cutoff),
    ]
    query = Lead.objects.filter(last_activity_at__lt=cutoff)
    for subquery in newer:
        query = query.filter(~Exists(subquery))
    return query


def _collect(lead) -> NestedObjects:
    """Everything deleting `lead` removes, by model (the admin's own walker,
    which also reports rows that PROTECT the lead instead of raising)."""
    collector = NestedObjects(using=DEFAULT_DB_ALIAS)
    collector.collect([lead])
    return collector


def _files_of(related) -> list[tuple[object, str]]:
    files = []
    for model, objects in related.items():
        file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        for obj in objects:
            for field in file_fields:
                name = getattr(obj, field.attname).name
                if name:
                    files.append((field.storage, name))
    return files


def _history_of(related):
    """Admin log entries and django-reversion versions naming these objects
    (a log entry's object_repr can hold a first name)."""
    queries = []
    for model, objects in related.items():
        content_type = ContentType.objects.get_for_model(model)
        ids = [str(obj.pk) for obj in objects]
        queries.append(LogEntry.objects.filter(content_type=content_type, object_id__in=ids))
        try:
            from reversion.models import Version
        except ImportError:  # pragma: no cover - reversion is installed
            continue
        queries.append(Version.objects.filter(content_type=content_type, object_id__in=ids))
    return queries


class Command(BaseCommand):
    help = "Erase patient data of leads closed or inactive longer than LEAD_RETENTION_DAYS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Override LEAD_RETENTION_DAYS for this run (at least 1).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; change nothing.")

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.LEAD_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("The retention period must be at least one day.")
        cutoff = timezone.now() - timedelta(days=days)
        counts = Counter()
        for lead_id in expired_leads(cutoff).order_by("pk").values_list("pk", flat=True).iterator():
            counts += self.purge_one(lead_id, cutoff, dry_run=dry_run)

        summary = (
            f"leads={counts['leads']} closed={counts['closed']} inactive={counts['inactive']} "
            f"files={counts['files']} rows={counts['rows']} history={counts['history']} "
            f"blocked={counts['blocked']} older_than_days={days}"
        )
        if dry_run:
            self.stdout.write(f"Dry run, nothing changed: {summary}")
            return
        audit_record(action=AuditAction.PURGE, object_type="admissions.lead", detail=summary)
        self.stdout.write(f"Purged: {summary}")

    def purge_one(self, lead_id, cutoff, *, dry_run) -> Counter:
        counts = Counter()
        with transaction.atomic():
            # Locked and checked again: a coordinator may have touched it meanwhile.
            lead = expired_leads(cutoff).select_for_update(of=("self",)).filter(pk=lead_id).first()
            if lead is None:
                return counts
            collector = _collect(lead)
            if collector.protected:
                # Something refuses the delete: touch nothing, say so, go on.
                counts["blocked"] = 1
                self.stderr.write(f"Lead {lead.pk} kept: other records protect it.")
                return counts
            related = collector.model_objs
            files = _files_of(related)
            history = _history_of(related)
            counts["leads"] = 1
            counts["closed" if lead.status in FINAL_STATUSES else "inactive"] = 1
            counts["files"] = len(files)
            counts["rows"] = sum(len(objects) for objects in related.values())
            counts["history"] = sum(query.count() for query in history)
            if dry_run:
                return counts
            # Photos first: if anything below fails, they roll back with the
            # rows and the next run finds the lead again.
            for storage, name in files:
                storage.delete(name)
            for query in history:
                query.delete()
            # Its appointments, seat and waitlist place; a seat it held goes to the next waiting.
            lead_scheduling_erase(lead=lead)
            lead.delete()
        return counts
