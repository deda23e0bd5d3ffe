"""Issue 14: move the card photos already on the app host's disk (sealed
files under DJANGO_PRIVATE_MEDIA_ROOT, STORAGES["phi_files"]) into the
database rows of 0016, then delete each file.

Per photo, in its own transaction: read the sealed file, open it under the
file key context, seal it again bound to its name, insert the row, check the
row opens to the same bytes; only after that commits is the file deleted.
Idempotent and safe to interrupt (the migration is not atomic): a photo that
already has its row is skipped and its leftover file deleted. A missing key
stops the migration (fail closed, nothing half-moved). A name whose file is
missing is reported and left as it was (the staff view answers 404 for it).

Run it on the host that holds the files (the only one, before issue 14). The
reverse writes the rows back as sealed files.
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import migrations, transaction


def _disk_store():
    from admissions.phi.storage import EncryptedStorage

    config = settings.STORAGES.get("phi_files")
    if not config:
        return None
    return EncryptedStorage(**config.get("OPTIONS", {}))


def _photo_names(apps):
    InsuranceVerification = apps.get_model("admissions", "InsuranceVerification")
    names = set()
    for front, back in InsuranceVerification.objects.values_list("card_front", "card_back").iterator():
        names.update(name for name in (front, back) if name)
    return sorted(names)


def move_files_in(apps, schema_editor):
    from admissions.models.card_photos import open_photo, seal_photo
    from admissions.phi import crypto
    from admissions.phi.storage import FILE_CONTEXT

    CardPhoto = apps.get_model("admissions", "CardPhoto")
    alias = schema_editor.connection.alias
    names = _photo_names(apps)
    if not names:
        return
    disk = _disk_store()
    moved = already = missing = 0
    for name in names:
        on_disk = disk is not None and disk.exists(name)
        if CardPhoto.objects.using(alias).filter(name=name).exists():
            already += 1
        elif not on_disk:
            missing += 1
            continue
        else:
            plain = crypto.decrypt_bytes(disk.read_raw(name), context=FILE_CONTEXT)
            with transaction.atomic(using=alias):
                sealed = seal_photo(name, plain)
                CardPhoto.objects.using(alias).create(name=name, sealed=sealed, size=len(plain))
                stored = CardPhoto.objects.using(alias).get(name=name)
                if open_photo(name, stored.sealed) != plain:  # pragma: no cover - a broken database
                    raise RuntimeError(f"card photo {name} did not read back; nothing moved")
            moved += 1
        if on_disk:
            disk.delete(name)
    print(f"\n  card photos: {moved} moved into the database, {already} already there, {missing} missing on disk")


def move_files_out(apps, schema_editor):
    from admissions.models.card_photos import open_photo

    CardPhoto = apps.get_model("admissions", "CardPhoto")
    disk = _disk_store()
    if disk is None:
        raise RuntimeError('STORAGES["phi_files"] is not set: nowhere to put the card photos back')
    for photo in CardPhoto.objects.using(schema_editor.connection.alias).iterator(chunk_size=20):
        if not disk.exists(photo.name):
            saved = disk.save(photo.name, ContentFile(open_photo(photo.name, photo.sealed)))
            if saved != photo.name:  # pragma: no cover - the disk store renamed it
                raise RuntimeError(f"card photo {photo.name} was stored as {saved}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("admissions", "0016_card_photos_in_database")]

    operations = [migrations.RunPython(move_files_in, move_files_out, elidable=False)]
