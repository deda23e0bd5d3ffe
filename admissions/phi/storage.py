"""A storage that encrypts every file it writes and decrypts what it reads.

It wraps another Django storage (the disk by default), so files go through
Django's storage API while the bytes at rest are AES-256-GCM tokens from
admissions.crypto. Files never get a public URL.

Insurance card photos no longer use it: since issue 14 they are sealed rows
in PostgreSQL (admissions.models.card_photos), so every app host serves them
and the backup carries them. It stays as the reader of the files written
before that (STORAGES["phi_files"], moved in by migration 0017).
"""

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.files.storage.handler import StorageHandler
from django.utils.deconstruct import deconstructible

from . import crypto

FILE_CONTEXT = "admissions.file"


@deconstructible(path="admissions.storage.EncryptedStorage")
class EncryptedStorage(Storage):
    def __init__(self, inner=None):
        # `inner` is a STORAGES-style dict: {"BACKEND": ..., "OPTIONS": {...}}.
        self._inner_config = inner or {"BACKEND": "django.core.files.storage.FileSystemStorage"}
        self._inner = None

    @property
    def inner(self):
        if self._inner is None:
            self._inner = StorageHandler({"inner": self._inner_config})["inner"]
        return self._inner

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode:
            raise ValueError("Encrypted files are written with save(), not opened for writing.")
        with self.inner.open(name, "rb") as handle:
            sealed = handle.read()
        return ContentFile(crypto.decrypt_bytes(sealed, context=FILE_CONTEXT), name=name)

    def _save(self, name, content):
        content.seek(0)
        sealed = crypto.encrypt_bytes(content.read(), context=FILE_CONTEXT)
        return self.inner.save(name, ContentFile(sealed), max_length=None)

    def read_raw(self, name) -> bytes:
        """The bytes at rest (ciphertext), for re-encryption and tests."""
        with self.inner.open(name, "rb") as handle:
            return handle.read()

    def replace_raw(self, name, sealed: bytes):
        """Overwrite a file's sealed bytes in place (key rotation)."""
        self.inner.delete(name)
        saved = self.inner.save(name, ContentFile(sealed), max_length=None)
        if saved != name:  # pragma: no cover - storage renamed a file we just deleted
            raise RuntimeError("storage renamed a re-encrypted file")

    def delete(self, name):
        self.inner.delete(name)

    def exists(self, name):
        return self.inner.exists(name)

    def get_available_name(self, name, max_length=None):
        return self.inner.get_available_name(name, max_length=max_length)

    def listdir(self, path):
        return self.inner.listdir(path)

    def size(self, name):
        return self.inner.size(name)

    def url(self, name):
        raise ValueError("Patient files have no public URL; use the staff file view.")

    def path(self, name):
        raise NotImplementedError("Patient files are only read through the storage API.")


def phi_file_storage():
    """Callable for FileField(storage=...): resolved at run time from STORAGES."""
    return storages["phi_files"]
