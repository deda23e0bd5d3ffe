"""Insurance card photos in PostgreSQL, sealed, beside the request they came with.

Every app host reads the same database, so every host can show every photo,
and the database backup (pg_dump) carries them with the rows that point at
them. Issue 14: on the app host's disk a second host could not show them and
the backup left them out.

`InsuranceVerification.card_front` / `card_back` stay Django FileFields (the
form, the store, the lead page and the staff view use the storage API); their
storage is `CardPhotoStorage`, which keeps each file as one `CardPhoto` row:

- the row is written by ``FileField.pre_save`` on the request's own database
  connection, so it commits or rolls back with the request (a failed or lost
  post leaves nothing behind);
- the bytes are an AES-256-GCM token (admissions.phi.crypto) bound to the
  photo's name, so a sealed photo copied to another row does not open, and a
  missing or wrong key raises instead of returning anything;
- names are random (``cards/<uuid4>.jpg``, admissions.models.requests) and
  nothing has a URL: staff see a photo only through the audited card view
  (admissions/staff/cards.py);
- on PostgreSQL a trigger deletes a request's photo rows when the request row
  is deleted or its photo replaced, whatever did it (purge, deleting spam, a
  lead's cascade), so a photo never outlives its request; the purge and the
  spam delete also delete them through the storage API (SQLite has no trigger).

Size: the intake keeps only a re-encoded JPEG of at most 2400 pixels on the
long side (admissions/intake/card_photos.py): a card photo is 0.2-0.8 MB, a
worst case (pure noise, 2400 × 2400) 4.1 MB, so a row holds at most about
5.5 MB of token (base64 adds a third), far below PostgreSQL's 1 GB per value;
TOAST stores it out of line without trying to compress it (migration 0016).
The storage refuses anything over MAX_STORED_BYTES.
"""

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from admissions.phi import crypto

# The intake's largest possible output is about 4.1 MB; leave room, refuse the absurd.
MAX_STORED_BYTES = 8 * 1024 * 1024
CONTEXT_PREFIX = "admissions.card_photo"


def photo_context(name: str) -> str:
    """The associated data that binds a sealed photo to its name."""
    return f"{CONTEXT_PREFIX}:{name}"


def seal_photo(name: str, data: bytes) -> bytes:
    return crypto.encrypt_bytes(data, context=photo_context(name))


def open_photo(name: str, sealed: bytes) -> bytes:
    return crypto.decrypt_bytes(bytes(sealed), context=photo_context(name))


class CardPhoto(models.Model):
    """One stored card photo: its random name (what the request's FileField
    holds) and the sealed JPEG. Written and read only through CardPhotoStorage
    and `manage.py reencrypt_phi`."""

    name = models.CharField(max_length=100, primary_key=True)
    sealed = models.BinaryField(
        help_text="AES-256-GCM token of the JPEG (phi1.<key id>.…), bound to the name."
    )
    size = models.PositiveIntegerField(help_text="Bytes of the JPEG before sealing.")
    stored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "insurance card photo"

    def __str__(self):
        return self.name


@deconstructible(path="admissions.models.card_photos.CardPhotoStorage")
class CardPhotoStorage(Storage):
    """Django's storage API over CardPhoto rows (see the module's docstring)."""

    def _open(self, name, mode="rb"):
        if any(flag in mode for flag in "wa+"):
            raise ValueError("Card photos are written with save(), not opened for writing.")
        sealed = CardPhoto.objects.filter(name=name).values_list("sealed", flat=True).first()
        if sealed is None:
            raise FileNotFoundError(f"no card photo named {name!r}")
        return ContentFile(open_photo(name, sealed), name=name)

    def _save(self, name, content):
        content.seek(0)
        data = content.read()
        if len(data) > MAX_STORED_BYTES:
            raise ValueError(f"a card photo of {len(data)} bytes is larger than the intake ever stores")
        CardPhoto.objects.create(name=name, sealed=seal_photo(name, data), size=len(data))
        return name

    def get_available_name(self, name, max_length=None):
        # Names are uuid4s: no lookup first. A duplicate would fail the primary
        # key and roll the request back, never overwrite another photo.
        if max_length is not None and len(name) > max_length:
            raise ValueError("card photo name too long")
        return name

    def delete(self, name):
        CardPhoto.objects.filter(name=name).delete()

    def exists(self, name):
        return CardPhoto.objects.filter(name=name).exists()

    def size(self, name):
        size = CardPhoto.objects.filter(name=name).values_list("size", flat=True).first()
        if size is None:
            raise FileNotFoundError(f"no card photo named {name!r}")
        return size

    def listdir(self, path):
        prefix = path.rstrip("/") + "/" if path else ""
        names = CardPhoto.objects.filter(name__startswith=prefix).values_list("name", flat=True)
        return [], [name[len(prefix) :] for name in names if "/" not in name[len(prefix) :]]

    def url(self, name):
        raise ValueError("Patient files have no public URL; use the staff card view.")

    def path(self, name):
        raise NotImplementedError("Card photos live in the database; read them through the storage API.")

    def get_created_time(self, name):
        stored = CardPhoto.objects.filter(name=name).values_list("stored_at", flat=True).first()
        if stored is None:
            raise FileNotFoundError(f"no card photo named {name!r}")
        return stored

    get_modified_time = get_accessed_time = get_created_time


card_photo_store = CardPhotoStorage()


def card_photo_storage():
    """Callable for FileField(storage=...)."""
    return card_photo_store


# Delete a request's photos with the request row, or the old photo when one is
# replaced, in the same transaction as the write (PostgreSQL only).
TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION admissions_card_photo_follow() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM admissions_cardphoto WHERE name IN (OLD.card_front, OLD.card_back);
        RETURN OLD;
    END IF;
    DELETE FROM admissions_cardphoto
     WHERE name IN (OLD.card_front, OLD.card_back)
       AND name NOT IN (NEW.card_front, NEW.card_back);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS card_photo_follow ON admissions_insuranceverification;
CREATE TRIGGER card_photo_follow
    AFTER DELETE OR UPDATE OF card_front, card_back ON admissions_insuranceverification
    FOR EACH ROW EXECUTE FUNCTION admissions_card_photo_follow();
"""
DROP_TRIGGER_SQL = """
DROP TRIGGER IF EXISTS card_photo_follow ON admissions_insuranceverification;
DROP FUNCTION IF EXISTS admissions_card_photo_follow();
"""
