"""Re-encrypt every encrypted column and every insurance card photo (sealed
rows in admissions_cardphoto) under the newest key in PHI_ENCRYPTION_KEYS, so
an old key can then be removed.

Rotation: put the new key first in PHI_ENCRYPTION_KEYS (keep the old ones
after it), deploy, run this command, check that it reports 0 left under old
keys, then drop the old key from the setting.

Idempotent and safe to interrupt: values already under the newest key are
left alone, work goes in batches by primary key, and each value is replaced
only if it is still the one that was read (a row changed in between is
picked up by the next run). Card photos (up to a few MB each) are read one
at a time, each re-sealed in its own transaction under a row lock.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models.functions import Substr

from admissions.models import CardPhoto
from admissions.models.card_photos import open_photo, seal_photo
from admissions.phi import crypto
from admissions.phi.fields import _EncryptedMixin

# A token starts "phi1.<key id>.": its first bytes name the key.
HEAD_BYTES = 200


def _key_id(head) -> str:
    return crypto.key_id_of(bytes(head).decode("ascii", errors="replace"))


def encrypted_columns():
    """(model, [fields]) for every model with encrypted fields, in any app."""
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, _EncryptedMixin)]
        if fields:
            yield model, fields


class Command(BaseCommand):
    help = "Re-encrypt patient data (columns and card photos) under the newest PHI key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what is still under an older key."
        )

    def handle(self, *, batch_size, dry_run, **options):
        ring = crypto.key_ring()
        self.stdout.write(f"Newest key: {ring.active_id}")
        totals = {"values": 0, "reencrypted": 0, "photos": 0, "photos_reencrypted": 0}
        for model, fields in encrypted_columns():
            seen, changed = self._columns(model, fields, ring, batch_size, dry_run)
            totals["values"] += seen
            totals["reencrypted"] += changed
            self.stdout.write(f"{model._meta.label}: {changed} of {seen} values re-encrypted")
        seen, changed = self._card_photos(ring, dry_run)
        totals["photos"], totals["photos_reencrypted"] = seen, changed
        self.stdout.write(f"{CardPhoto._meta.label}: {changed} of {seen} card photos re-encrypted")
        verb = "would be re-encrypted" if dry_run else "re-encrypted"
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {totals['reencrypted']} of {totals['values']} values and "
                f"{totals['photos_reencrypted']} of {totals['photos']} card photos {verb}."
            )
        )

    def _batches(self, model, columns, batch_size):
        quote = connection.ops.quote_name
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        select = ", ".join(quote(c) for c in columns)
        last = None
        while True:
            where = f"WHERE {pk} > %s" if last is not None else ""
            params = [last] if last is not None else []
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {pk}, {select} FROM {table} {where} ORDER BY {pk} LIMIT %s",  # noqa: S608 - quoted names
                    [*params, batch_size],
                )
                rows = cursor.fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]

    def _columns(self, model, fields, ring, batch_size, dry_run):
        quote = connection.ops.quote_name
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        seen = changed = 0
        for rows in self._batches(model, [f.column for f in fields], batch_size):
            with transaction.atomic():
                for row in rows:
                    for field, token in zip(fields, row[1:], strict=True):
                        if not token:
                            continue
                        seen += 1
                        if crypto.key_id_of(token) == ring.active_id:
                            continue
                        changed += 1
                        if dry_run:
                            continue
                        context = field.encryption_context
                        fresh = crypto.encrypt_text(
                            crypto.decrypt_text(token, context=context), context=context
                        )
                        column = quote(field.column)
                        with connection.cursor() as cursor:
                            # Only if nobody changed the value since it was read.
                            cursor.execute(
                                f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s",  # noqa: S608
                                [fresh, row[0], token],
                            )
        return seen, changed

    def _card_photos(self, ring, dry_run):
        """Each photo under an old key, one at a time: the key id is read from
        the first bytes of the token, so photos already under the newest key
        are never loaded whole."""
        seen = changed = 0
        last = ""
        while True:
            rows = list(
                CardPhoto.objects.filter(name__gt=last)
                .order_by("name")
                .annotate(head=Substr("sealed", 1, HEAD_BYTES))
                .values_list("name", "head")[:500]
            )
            if not rows:
                return seen, changed
            for name, head in rows:
                seen += 1
                if _key_id(head) == ring.active_id:
                    continue
                changed += 1
                if not dry_run:
                    self._reseal_photo(name, ring)
            last = rows[-1][0]

    def _reseal_photo(self, name, ring):
        with transaction.atomic():
            photo = CardPhoto.objects.select_for_update().filter(name=name).first()
            if photo is None or _key_id(photo.sealed[:HEAD_BYTES]) == ring.active_id:
                return  # deleted or re-sealed meanwhile
            photo.sealed = seal_photo(name, open_photo(name, photo.sealed))
            photo.save(update_fields=["sealed"])
