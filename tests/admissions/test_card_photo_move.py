"""Migration 0017 moves the card photos that were sealed files on the app
host's disk into the database: each one opens the same afterwards, its file
is deleted only once its row is in, a second run changes nothing, and the
reverse writes the files back."""

import importlib
import types

import pytest
from django.apps import apps
from django.db import connection

from admissions.models import CardPhoto, InsuranceVerification
from admissions.phi import crypto
from admissions.phi.storage import FILE_CONTEXT, EncryptedStorage

from .factories import jpeg, make_insurance

move = importlib.import_module("admissions.migrations.0017_move_card_photo_files")

pytestmark = pytest.mark.django_db


@pytest.fixture
def disk(tmp_path, settings):
    """The disk store as it was before issue 14 (STORAGES["phi_files"])."""
    options = {"location": str(tmp_path), "base_url": "/never-served/"}
    settings.STORAGES = {
        **settings.STORAGES,
        "phi_files": {
            "BACKEND": "admissions.phi.storage.EncryptedStorage",
            "OPTIONS": {
                "inner": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": options}
            },
        },
    }
    return EncryptedStorage(
        inner={"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": options}
    )


def old_style_request(disk, colour):
    """A request whose photos are sealed files on disk, as 0016 found them."""
    request, _ = make_insurance(cards=True)
    for side in ("front", "back"):
        name = getattr(request, f"card_{side}").name
        photo = CardPhoto.objects.get(name=name)
        plain = crypto.decrypt_bytes(bytes(photo.sealed), context=f"admissions.card_photo:{name}")
        disk.inner.save(name, __import__("io").BytesIO(crypto.encrypt_bytes(plain, context=FILE_CONTEXT)))
        photo.delete()
    return request


def run(function):
    function(apps, types.SimpleNamespace(connection=connection))


def photo_bytes(request, side):
    with getattr(InsuranceVerification.objects.get(pk=request.pk), f"card_{side}").open() as handle:
        return handle.read()


def test_files_move_in_open_the_same_and_leave_the_disk(disk, capsys):
    first, second = old_style_request(disk, "navy"), old_style_request(disk, "teal")
    on_disk = {
        name: disk.open(name).read() for name in disk.listdir("cards")[1] for name in [f"cards/{name}"]
    }
    assert len(on_disk) == 4 and CardPhoto.objects.count() == 0

    run(move.move_files_in)

    assert "4 moved into the database, 0 already there, 0 missing" in capsys.readouterr().out
    assert disk.listdir("cards")[1] == []
    for request in (first, second):
        for side in ("front", "back"):
            name = getattr(request, f"card_{side}").name
            assert photo_bytes(request, side) == on_disk[name]
            assert bytes(CardPhoto.objects.get(name=name).sealed).startswith(b"phi1.test1.")

    # Idempotent: a second run finds everything in place.
    run(move.move_files_in)
    assert "0 moved into the database, 4 already there" in capsys.readouterr().out
    assert CardPhoto.objects.count() == 4


def test_an_interrupted_move_finishes_and_a_missing_file_is_reported(disk, capsys):
    request = old_style_request(disk, "navy")
    front, back = request.card_front.name, request.card_back.name
    # Interrupted after the front's row committed, before its file was deleted.
    plain = crypto.decrypt_bytes(disk.read_raw(front), context=FILE_CONTEXT)
    CardPhoto.objects.create(
        name=front,
        sealed=crypto.encrypt_bytes(plain, context=f"admissions.card_photo:{front}"),
        size=len(plain),
    )
    gone, _ = make_insurance(cards=True)
    CardPhoto.objects.filter(name=gone.card_front.name).delete()  # neither row nor file

    run(move.move_files_in)

    assert "1 moved into the database, 2 already there, 1 missing on disk" in capsys.readouterr().out
    assert not disk.exists(front) and not disk.exists(back)
    assert photo_bytes(request, "front") == plain and photo_bytes(request, "back").startswith(b"\xff\xd8")


def test_a_missing_key_stops_the_move_with_nothing_lost(disk, settings):
    request = old_style_request(disk, "navy")
    settings.PHI_ENCRYPTION_KEYS = [("other", crypto.generate_key())]
    with pytest.raises(crypto.DecryptionError):
        run(move.move_files_in)
    assert CardPhoto.objects.count() == 0 and disk.exists(request.card_front.name)


def test_the_reverse_writes_the_files_back(disk):
    request, _ = make_insurance(cards=True)
    front = photo_bytes(request, "front")
    run(move.move_files_out)
    assert disk.open(request.card_front.name).read() == front
    assert jpeg("navy")[:2] == front[:2] == b"\xff\xd8"
