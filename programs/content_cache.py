"""Published content kept in each worker's memory between edits.

Without it a program page spends most of its CPU on eight small queries that
return the same rows every time. Each worker keeps what it read, tagged with a
content version held in the shared cache (one cheap read per request, reused
for a second within a worker). Every save or delete of site content sets a new
version, so every worker reloads on its next request, on every server.

Edits in the admin therefore reach the origin at once, and visitors within the
pages' max-age. Writes that bypass model signals (QuerySet.update(), SQL) are
picked up when an entry reaches MEMO_SECONDS.
"""

import threading
import time
import uuid

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "programs:content-version"
MEMO_SECONDS = 60
# How long a worker trusts the version it last read: the same request asks
# several times, and a second of extra delay after an edit is harmless.
VERSION_REUSE_SECONDS = 1.0

_lock = threading.Lock()
_memo: dict = {}  # key -> (version, expires_at, value)
_version_seen: tuple[str, float] = ("", 0.0)  # (version, read at)


def current_version() -> str:
    global _version_seen
    version, read_at = _version_seen
    now = time.monotonic()
    if version and now - read_at < VERSION_REUSE_SECONDS:
        return version
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY) or ""
    _version_seen = (version, now)
    return version


def memoized(key, build):
    """build() once per content version (and at most MEMO_SECONDS) per worker.

    Values are shared between a worker's threads: treat them as read-only.
    """
    version = current_version()
    now = time.monotonic()
    hit = _memo.get(key)
    if hit is not None and hit[0] == version and now < hit[1]:
        return hit[2]
    value = build()
    with _lock:
        _memo[key] = (version, now + MEMO_SECONDS, value)
    return value


def _set_new_version():
    global _version_seen
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, None)
    _version_seen = (version, time.monotonic())


def content_changed(**kwargs):
    """Signal receiver for every content model: forget what this worker kept
    and tell the others. Once now (this transaction's own reads see the edit)
    and once after commit (another worker that reloaded in between must not
    keep the pre-commit rows under the new version)."""
    clear()
    _set_new_version()
    transaction.on_commit(_set_new_version)


# Other per-worker memories of published content (programs.page_memo), forgotten with this one.
_also_forget: list = []


def clear():
    global _version_seen
    with _lock:
        _memo.clear()
    _version_seen = ("", 0.0)
    for forget in _also_forget:
        forget()
