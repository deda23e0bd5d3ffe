"""Settings shared by every environment, read from environment variables.

With nothing set the site runs for local development on an embedded SQLite
file; `production.py` tightens this and refuses to start without its secrets.
Every variable is listed in `.env.example`.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Development-only fallback; production.py requires a real one.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

# Public origin of the site, used for canonical URLs, sitemaps, JSON-LD and
# links in staff alerts. No trailing slash.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The 24/7 admissions line for pages rendered while the database is down and
# this process has not read the site facts yet (programs/context_processors.py,
# outage pages): E.164 and as people read it. The admin's site facts win.
ADMISSIONS_PHONE = env("ADMISSIONS_PHONE", default="")
ADMISSIONS_PHONE_DISPLAY = env("ADMISSIONS_PHONE_DISPLAY", default="")
# The admin is not at /admin/ in production: a configurable path keeps it
# off the common scanner lists.
ADMIN_PATH = env("DJANGO_ADMIN_PATH", default="admin/").strip("/") + "/"

INSTALLED_APPS = [
    # First, so its commands win: createsuperuser applies the password rules.
    "sheer_site",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "reversion",
    "django_tasks_db",
    # Staff security: second factor (TOTP + backup codes) and login lockout.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Passkeys (WebAuthn) as the preferred second factor (admissions/access/passkeys.py).
    "django_otp_webauthn",
    "axes",
    # Staff security: second factors with sealed secrets, invitations; after
    # the django-otp plugins, whose admin pages (secrets) it takes away.
    "admissions.access",
    "programs",
    "admissions",
]

MIDDLEWARE = [
    # First, so every later piece sees the client's address, not nginx's.
    "sheer_site.middleware.TrustedProxyMiddleware",
    # The page's language from its URL prefix, before anything renders or the
    # URL is resolved (outage and 429 pages are in the page's language too).
    "sheer_site.middleware.LanguageFromPathMiddleware",
    # CORP everywhere, no-store on forms/admin/files (admissions/access/middleware.py).
    "admissions.access.middleware.SecurityHeadersMiddleware",
    # A public form post that meets a database outage gets its answers back.
    "sheer_site.middleware.DatabaseOutageMiddleware",
    # Every public form post counts per address, invalid ones too (429 past the limit).
    "sheer_site.middleware.FormPostBudgetMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag on every response so a conditional GET of a public page gets a 304.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle/absolute logoff, then second factor before any admin page, then
    # an audit event for every 403 a logged-in user gets.
    "admissions.access.middleware.StaffSessionMiddleware",
    "admissions.access.middleware.MFARequiredMiddleware",
    "admissions.access.middleware.PermissionDeniedAuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # A form body Django cannot parse (a charset other than UTF-8): the 400
    # page before the CSRF check reads it (sheer_site/errors.py).
    "sheer_site.middleware.RejectUnreadableBodyMiddleware",
    # Last, as django-axes requires: turns a lockout into its 429 page.
    "axes.middleware.AxesMiddleware",
]

# Proxies whose X-Forwarded-For is believed (addresses or networks, e.g.
# "127.0.0.1,10.0.0.0/24"); empty when nothing stands in front (development).
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])

# URL namespaces whose form posts are answered with the person's answers and a
# "send again" button when the database is unreachable (DatabaseOutageMiddleware).
DATABASE_OUTAGE_FORM_NAMESPACES = ["admissions"]

ROOT_URLCONF = "sheer_site.urls"
WSGI_APPLICATION = "sheer_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "programs.context_processors.site_facts",
                "programs.context_processors.languages",
            ],
        },
    },
]


def fleet_database(config: dict) -> dict:
    """Connection handling for many app processes in front of one PostgreSQL.

    DATABASE_POOL_MAX_SIZE > 0: psycopg's pool in each process (Django needs
    CONN_MAX_AGE 0 then); otherwise one persistent connection per thread for
    DATABASE_CONN_MAX_AGE seconds. Either way a connection is checked before
    use (CONN_HEALTH_CHECKS; the pool's check), so after a database restart
    only the requests in flight fail. Sizing: gunicorn.conf.py, docs/deploy.md.
    """
    config["CONN_HEALTH_CHECKS"] = True
    pool_max = env.int("DATABASE_POOL_MAX_SIZE", default=0)
    if pool_max and config["ENGINE"] == "django.db.backends.postgresql":
        config["CONN_MAX_AGE"] = 0
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
            "max_size": pool_max,
            # Seconds a request waits for a free connection: short, so a
            # database outage answers with an error page, not a hung worker.
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=5.0),
            "max_idle": 300,
        }
    else:
        config["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    return config


DATABASES = {
    "default": fleet_database(env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every server process: rate limits and one-time form tokens must
# hold across a fleet, so the default is the database, not process memory.
# CACHE_URL=redis://127.0.0.1:6379/1 selects Django's built-in RedisCache.
CACHES = {
    "default": env.cache("CACHE_URL", default="dbcache://django_cache"),
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# English at the old addresses, Spanish under /es/ (sheer_site/urls.py). The
# URL alone says the language: no cookie, no Accept-Language, so a shared cache
# may keep every public page (LanguageFromPathMiddleware).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our own date formats per language (sheer_site/formats/<code>/formats.py).
FORMAT_MODULE_PATH = ["sheer_site.formats"]
TIME_ZONE = "America/Los_Angeles"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names and pre-compressed copies; whitenoise then serves them
        # with a one-year immutable cache lifetime.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 60 * 60  # unhashed files only; hashed ones are immutable

# Insurance card photos are sealed rows in PostgreSQL (admissions.models.card_photos).
# This is where they were on disk before issue 14: migration 0017 moves them in.
PRIVATE_MEDIA_ROOT = env.path("DJANGO_PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private")
STORAGES["phi_files"] = {
    "BACKEND": "admissions.phi.storage.EncryptedStorage",
    "OPTIONS": {
        "inner": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": "/never-served/"},
        }
    },
}

# Encryption of patient data at rest (admissions.phi.crypto), separate from
# SECRET_KEY. "id:key,id:key", newest first; the first seals new values.
# Generate a key: python -c "from admissions.phi.crypto import generate_key; print(generate_key())"
PHI_ENCRYPTION_KEYS = [
    tuple(item.split(":", 1)) for item in env.list("PHI_ENCRYPTION_KEYS", default=[]) if ":" in item
]
# HMAC key for phone/email look-ups (de-duplication, staff search).
PHI_LOOKUP_KEY = env("PHI_LOOKUP_KEY", default="")

# Background work (staff alerts, auto-replies): "immediate" runs in the
# request after commit (fine for `make run`); production uses the database
# queue with `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": env("DJANGO_TASKS_BACKEND", default="django.tasks.backends.immediate.ImmediateBackend")
    }
}

# Insurance eligibility checks (admissions/eligibility). ELIGIBILITY_BACKEND:
# "manual" (no automatic check), "fake" (answers by member ID, for demos),
# "x12" (raw 270/271 over a transport) or "rest" (JSON clearinghouse API).
ELIGIBILITY_BACKEND = env("ELIGIBILITY_BACKEND", default="manual")
ELIGIBILITY = {
    # Our NPI and name as enrolled with the payers (NM1*1P in the 270).
    "PROVIDER_NPI": env("ELIGIBILITY_PROVIDER_NPI", default=""),
    "PROVIDER_NAME": env("ELIGIBILITY_PROVIDER_NAME", default="Sheer Recovery"),
    # Whose payer IDs the payer directory hands out: stedi, availity or optum.
    "CLEARINGHOUSE": env("ELIGIBILITY_CLEARINGHOUSE", default="stedi"),
    # Seconds for each HTTP call to the clearinghouse.
    "TIMEOUT": env.float("ELIGIBILITY_TIMEOUT", default=30.0),
    "X12_URL": env("ELIGIBILITY_X12_URL", default=""),
    "X12_AUTH_TOKEN": env("ELIGIBILITY_X12_AUTH_TOKEN", default=""),
    "X12_SENDER_ID": env("ELIGIBILITY_X12_SENDER_ID", default="SHEERRECOVERY"),
    "X12_RECEIVER_ID": env("ELIGIBILITY_X12_RECEIVER_ID", default="CLEARINGHOUSE"),
    "X12_USAGE": env("ELIGIBILITY_X12_USAGE", default="P"),
    "REST_URL": env("ELIGIBILITY_REST_URL", default=""),
    "REST_TOKEN_URL": env("ELIGIBILITY_REST_TOKEN_URL", default=""),
    "REST_CLIENT_ID": env("ELIGIBILITY_REST_CLIENT_ID", default=""),
    "REST_CLIENT_SECRET": env("ELIGIBILITY_REST_CLIENT_SECRET", default=""),
    "REST_POLL_ATTEMPTS": env.int("ELIGIBILITY_REST_POLL_ATTEMPTS", default=5),
    "REST_POLL_DELAY": env.float("ELIGIBILITY_REST_POLL_DELAY", default=1.0),
}
# A check that meets a temporary failure (timeout, payer down, still pending)
# is tried this many times in all, waiting ELIGIBILITY_RETRY_DELAY_SECONDS
# and then twice as long each time (120 s: 2, 4, 8, 16 minutes), then ends
# in an error status with the reason.
ELIGIBILITY_MAX_ATTEMPTS = env.int("ELIGIBILITY_MAX_ATTEMPTS", default=5)
ELIGIBILITY_RETRY_DELAY_SECONDS = env.int("ELIGIBILITY_RETRY_DELAY_SECONDS", default=120)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MAILERS = {
    "default": {
        "BACKEND": env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"),
    },
}
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Sheer Recovery <no-reply@localhost>")

# Admissions intake (admissions/intake/: views.py, spam.py, notifications.py).
# The inbox told of every new request (comma-separated addresses); empty sends no alert.
ADMISSIONS_ALERT_EMAIL = env("ADMISSIONS_ALERT_EMAIL", default="")
# The MAILERS alias the alert and auto-reply go through.
ADMISSIONS_MAILER = env("ADMISSIONS_MAILER", default="default")
# The on-call clinical supervisor (comma-separated addresses), emailed at once
# when a pre-admission screen's suicide-risk question is positive: the lead
# number and a link only (admissions/services/screening.py). Empty sends none,
# and the screen tells the coordinator to phone the supervisor.
ADMISSIONS_CLINICAL_ONCALL_EMAIL = env("ADMISSIONS_CLINICAL_ONCALL_EMAIL", default="")
# Stored requests per address and form per window; 0 turns the limit off (benchmarks only).
ADMISSIONS_RATE_LIMIT = env.int("ADMISSIONS_RATE_LIMIT", default=5)
ADMISSIONS_RATE_WINDOW_SECONDS = env.int("ADMISSIONS_RATE_WINDOW_SECONDS", default=600)
# Posts per address and window to the public forms, stored or not (each may
# carry two photos to check); 0 turns the limit off (benchmarks only), and
# so does ADMISSIONS_RATE_LIMIT=0 unless this is set.
ADMISSIONS_POST_LIMIT = env.int("ADMISSIONS_POST_LIMIT", default=30 if ADMISSIONS_RATE_LIMIT else 0)
# A form sent sooner than this after it was served is a bot.
ADMISSIONS_MIN_FILL_SECONDS = env.float("ADMISSIONS_MIN_FILL_SECONDS", default=3.0)
# The call-back time promised on the thank-you page and in the auto-reply.
ADMISSIONS_CALLBACK_MINUTES = env.int("ADMISSIONS_CALLBACK_MINUTES", default=30)
# How long before an appointment `manage.py send_appointment_reminders` emails
# the coordinator (lead number, time and a link; no patient data).
ADMISSIONS_APPOINTMENT_REMINDER_MINUTES = env.int("ADMISSIONS_APPOINTMENT_REMINDER_MINUTES", default=60)
# A stored request whose staff alert or auto-reply has no task this long after
# it arrived is owed one; `manage.py send_owed_alerts` (every minute) queues it.
ADMISSIONS_ALERT_OWED_AFTER_SECONDS = env.int("ADMISSIONS_ALERT_OWED_AFTER_SECONDS", default=60)
# Where `export_fhir` and the lead page's hand-off button write an admitted
# lead's FHIR Bundle (owner-only files) for the clinical record to import.
ADMISSIONS_HANDOFF_DIR = env.path("ADMISSIONS_HANDOFF_DIR", default=BASE_DIR / "handoff")

# How long a shared cache (nginx, a CDN run by the center) may keep a public
# page. An edit in the admin reaches visitors within this many seconds.
PUBLIC_PAGE_MAX_AGE = env.int("PUBLIC_PAGE_MAX_AGE", default=300)

# scripts/bench_pages.py only: route /bench/floor/, a constant ~15 KB page
# (sheer_site/bench.py) the program page's CPU is compared with. Never in production.
BENCH_FLOOR = env.bool("DJANGO_BENCH_FLOOR", default=False)

# The site itself is the only origin a page may use; scripts are files from
# 'self' (nonce only where a page really needs inline code).
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    # Bootstrap draws checkboxes and select arrows as data: SVG images.
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Request logs carry URLs and never bodies; forms never put answers in URLs,
# so nothing a person typed reaches a log. Two filters make sure of the rest:
# django.template's DEBUG records hold the whole template context (a bound
# intake form included), and database errors quote row values (names, hashes,
# ciphertexts), so their message is withheld (admissions/phi/log_filters.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "no_template_context": {"()": "admissions.phi.log_filters.DropTemplateContext"},
        "no_database_error_detail": {"()": "admissions.phi.log_filters.ScrubDatabaseErrorDetail"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_database_error_detail"],
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.db.backends": {"level": "WARNING"},
        "django.template": {"filters": ["no_template_context"]},
        # axes says "BEGIN" at every start and logs each failure; the audit trail has them.
        "axes": {"level": "WARNING"},
    },
}

# Staff security (admissions/access/, docs/security.md).
# django-axes checks the password; the ModelBackend then logs the user in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout by username AND address together: nobody can lock a coordinator
# out from elsewhere. Wrong second-factor codes count as failures too.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Only a full sign-in (password and code) clears the count (admissions/access/mfa.py).
AXES_RESET_ON_SUCCESS = False
# The same address the audit trail records (REMOTE_ADDR, set from trusted proxies).
AXES_CLIENT_IP_CALLABLE = "admissions.access.audit.client_ip"
AXES_LOCKOUT_TEMPLATE = "security/lockout.html"
# The audit trail (AuditEvent) is the record of logins; axes keeps only counters.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["password", "token"]
OTP_TOTP_ISSUER = "Sheer Recovery"
# Passkeys (django-otp-webauthn): a second factor only, never instead of the
# password; the relying party is the (ALLOWED_HOSTS-checked) host of the
# request, the expected origin that host or SITE_URL (admissions/access/passkeys.py).
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "Sheer Recovery staff"
OTP_WEBAUTHN_RP_ID_CALLABLE = "admissions.access.passkeys.rp_id"
# (The library wants an https origin here; development over http adds its own
# origin through the helper, on http://localhost, as browsers allow.)
OTP_WEBAUTHN_ALLOWED_ORIGINS = [SITE_URL if SITE_URL.startswith("https://") else "https://localhost"]
OTP_WEBAUTHN_HELPER_CLASS = "admissions.access.passkeys.Helper"
# An enrolment or lost-device link works once, for this many hours.
STAFF_INVITATION_HOURS = env.int("STAFF_INVITATION_HOURS", default=24)

# Browser features no page of the site uses are switched off (camera and
# microphone: the card photo field opens the camera app, not getUserMedia);
# passkeys (WebAuthn) are allowed for the site itself only.
PERMISSIONS_POLICY = ", ".join(
    [
        *(
            f"{feature}=()"
            for feature in (
                "accelerometer",
                "autoplay",
                "browsing-topics",
                "camera",
                "display-capture",
                "encrypted-media",
                "fullscreen",
                "geolocation",
                "gyroscope",
                "magnetometer",
                "microphone",
                "midi",
                "payment",
                "picture-in-picture",
                "screen-wake-lock",
                "serial",
                "usb",
                "xr-spatial-tracking",
            )
        ),
        "publickey-credentials-create=(self)",
        "publickey-credentials-get=(self)",
    ]
)

# Automatic logoff: 15 minutes without staff activity, 12 hours at most.
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=15 * 60)
STAFF_SESSION_MAX_SECONDS = env.int("STAFF_SESSION_MAX_SECONDS", default=12 * 60 * 60)
# The cookie and the stored session die after the idle time too.
SESSION_COOKIE_AGE = STAFF_SESSION_IDLE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie (forms carry the token).
CSRF_COOKIE_HTTPONLY = True

# Staff-only pages outside the admin path (programs' draft previews): the
# second factor, the idle logoff and no-store apply as under the admin.
STAFF_ONLY_PATH_PREFIXES = ["/preview/"]
# Besides the admin: paths whose responses no cache may keep (forms, files).
NO_STORE_PATH_PREFIXES = env.list("NO_STORE_PATH_PREFIXES", default=["/admissions/", "/es/admisiones/"])
# Exceptions under those prefixes: pages with nothing personal, the same bytes
# for everyone and no cookie, which keep the public caching their views declare
# (the thank-you pages, issue 14; deploy/nginx caches them too).
CACHEABLE_PATH_PREFIXES = ["/admissions/thank-you/", "/es/admisiones/gracias/"]

# Patient data of leads closed or inactive longer than this is erased by
# `manage.py purge_leads` (run it daily; README).
LEAD_RETENTION_DAYS = env.int("LEAD_RETENTION_DAYS", default=90)
