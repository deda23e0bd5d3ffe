"""Test settings: PostgreSQL always (the suite never runs on SQLite)."""

from .base import *  # noqa: F403
from .base import env

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/sheer_recovery"),
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise RuntimeError("The test suite runs on PostgreSQL: set DATABASE_URL to a postgres:// URL.")

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-anything-else-0123456789"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SITE_URL = "https://www.example.test"
ADMISSIONS_PHONE = "+19495550142"
ADMISSIONS_PHONE_DISPLAY = "(949) 555-0142"
STORAGES = {
    **STORAGES,  # noqa: F405
    # Tests do not need collectstatic's manifest.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# No collectstatic before tests: whitenoise finds files in static/ directly.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

PHI_ENCRYPTION_KEYS = [("test1", "dGVzdC1vbmx5LWtleS1mb3ItdGhlLXN1aXRlLW9ubHk")]
PHI_LOOKUP_KEY = "dGVzdC1vbmx5LWxvb2t1cC1rZXktZm9yLXRlc3RzISE"
