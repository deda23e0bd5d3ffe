"""Production: every secret must come from the environment, or the process
refuses to start (environ raises ImproperlyConfigured on a missing variable)."""

from .base import *  # noqa: F403
from .base import env, fleet_database

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a random value of 50+ characters.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
SITE_URL = env("SITE_URL").rstrip("/")
DATABASES = {"default": fleet_database(env.db("DATABASE_URL"))}
CSRF_TRUSTED_ORIGINS = [SITE_URL]
# nginx on the same host by default (deploy/nginx); list each proxy's address.
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=["127.0.0.1", "::1"])

# Patient data cannot be stored or read without these; fail at start-up.
PHI_ENCRYPTION_KEYS = [tuple(item.split(":", 1)) for item in env.list("PHI_ENCRYPTION_KEYS")]
PHI_LOOKUP_KEY = env("PHI_LOOKUP_KEY")
if not PHI_ENCRYPTION_KEYS or not all(len(item) == 2 for item in PHI_ENCRYPTION_KEYS):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("PHI_ENCRYPTION_KEYS must be 'id:base64key[,id:base64key...]'.")

# Speed to lead: a site that cannot tell staff about new requests must not start.
ADMISSIONS_ALERT_EMAIL = env("ADMISSIONS_ALERT_EMAIL")

TASKS = {"default": {"BACKEND": env("DJANGO_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

# Transport: TLS ends at nginx, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Host (and port) the redirect goes to; unset means the request's own host.
SECURE_SSL_HOST = env("DJANGO_SECURE_SSL_HOST", default=None)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

MAILERS = {
    "default": {
        "BACKEND": env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": env("EMAIL_HOST", default="localhost"),
            "port": env.int("EMAIL_PORT", default=587),
            "username": env("EMAIL_HOST_USER", default=""),
            "password": env("EMAIL_HOST_PASSWORD", default=""),
            "use_tls": env.bool("EMAIL_USE_TLS", default=True),
            "timeout": 10,
        },
    },
}

LOGGING["root"]["level"] = env("DJANGO_LOG_LEVEL", default="WARNING")  # noqa: F405
