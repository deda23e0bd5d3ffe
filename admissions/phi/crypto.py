"""Authenticated encryption of patient data at rest, with a key ring.

Every value is AES-256-GCM with a fresh 96-bit nonce and carries the id of the
key that sealed it: ``phi1.<key id>.<base64url(nonce || ciphertext+tag)>``.
The associated data binds a value to its place (e.g. ``admissions.lead.phone``),
so a ciphertext copied into another column does not decrypt.

Keys come from ``PHI_ENCRYPTION_KEYS`` (newest first; the first seals new
values, the others only open old ones) and never from ``SECRET_KEY``. Lookups
by phone or email use an HMAC under the separate ``PHI_LOOKUP_KEY``, so equal
values can be found without storing or comparing plaintext.

A missing or wrong key raises ``DecryptionError``; nothing ever falls back to
showing the stored ciphertext.
"""

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

PREFIX = "phi1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value cannot be opened: unknown key id, wrong key or tampering.

    The message never contains the value itself.
    """


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]  # key id -> 32-byte key, in settings order
    active_id: str
    lookup_key: bytes

    def seal(self, plaintext: bytes, *, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.active_id]).encrypt(nonce, plaintext, context.encode())
        return f"{PREFIX}.{self.active_id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, token: str, *, context: str) -> bytes:
        key_id = key_id_of(token)
        key = self.keys.get(key_id)
        if key is None:
            raise DecryptionError(f"no key with id {key_id!r} in PHI_ENCRYPTION_KEYS ({context})")
        try:
            raw = base64.urlsafe_b64decode(token.split(".", 2)[2])
            return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise DecryptionError(f"value does not open under key {key_id!r} ({context})") from exc


def key_id_of(token: str) -> str:
    parts = token.split(".", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise DecryptionError("value is not an encrypted token")
    return parts[1]


def _decode_key(text: str, name: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{name}: key is not base64") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name}: keys must be 32 bytes (AES-256), got {len(key)}")
    return key


@lru_cache(maxsize=1)
def key_ring() -> KeyRing:
    configured = settings.PHI_ENCRYPTION_KEYS
    if not configured:
        raise ImproperlyConfigured("PHI_ENCRYPTION_KEYS is not set: patient data cannot be stored or read.")
    keys = {}
    for key_id, text in configured:
        if not key_id or "." in key_id:
            raise ImproperlyConfigured("PHI_ENCRYPTION_KEYS: key ids must be non-empty and contain no dot")
        if key_id in keys:
            raise ImproperlyConfigured(f"PHI_ENCRYPTION_KEYS: key id {key_id!r} appears twice")
        keys[key_id] = _decode_key(text, "PHI_ENCRYPTION_KEYS")
    lookup = settings.PHI_LOOKUP_KEY
    if not lookup:
        raise ImproperlyConfigured("PHI_LOOKUP_KEY is not set.")
    return KeyRing(keys=keys, active_id=next(iter(keys)), lookup_key=_decode_key(lookup, "PHI_LOOKUP_KEY"))


@receiver(setting_changed)
def _reset_key_ring(*, setting, **kwargs):
    if setting in ("PHI_ENCRYPTION_KEYS", "PHI_LOOKUP_KEY"):
        key_ring.cache_clear()


def encrypt_text(value: str, *, context: str) -> str:
    return key_ring().seal(value.encode(), context=context)


def decrypt_text(token: str, *, context: str) -> str:
    return key_ring().open(token, context=context).decode()


def encrypt_bytes(value: bytes, *, context: str) -> bytes:
    return key_ring().seal(value, context=context).encode()


def decrypt_bytes(token: bytes, *, context: str) -> bytes:
    return key_ring().open(token.decode("ascii", errors="replace"), context=context)


def lookup_hash(kind: str, normalized: str) -> str:
    """Keyed hash of an already-normalized phone (E.164) or email (lower case)."""
    message = f"{kind}:{normalized}".encode()
    return hmac.new(key_ring().lookup_key, message, hashlib.sha256).hexdigest()


def generate_key() -> str:
    """A new random key in the form PHI_ENCRYPTION_KEYS expects."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
