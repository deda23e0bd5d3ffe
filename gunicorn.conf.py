"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py`.

Values come from the environment so one file serves every host. Workers are
processes with a few threads each: page rendering is CPU-bound, database waits
overlap inside a process.

Database connections (sheer_site.settings.base.fleet_database; docs/deploy.md):
- with the pool (DATABASE_POOL_MAX_SIZE=P): at most workers x P per instance;
  a thread holds a connection only while it serves a request, so P may be
  below threads; a request that finds none free waits DATABASE_POOL_TIMEOUT.
- without it: one persistent connection per thread, workers x threads per
  instance.
Across the fleet: instances x workers x (P or threads) + task workers + 5 for
migrations, the purge timer and a psql session must stay below PostgreSQL's
max_connections - superuser_reserved_connections (100 - 3 by default).
Example: 4 instances x 5 workers x P=2 = 40, + 2 task workers + 5 = 47 of 97.
"""

import multiprocessing
import os

wsgi_app = "sheer_site.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
# Longer than DATABASE_POOL_TIMEOUT and the SMTP timeout, so a slow dependency
# ends in an error page rather than a killed worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# A HUP or a rolling restart lets requests in flight finish for this long.
graceful_timeout = 30
# nginx keeps connections to the upstream open (keepalive in deploy/nginx);
# longer than nginx's keepalive_timeout so gunicorn never closes first.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# Recycle workers now and then to cap slow memory growth, and at once (after
# the request in flight) when one has grown past GUNICORN_MAX_WORKER_MEMORY_MB
# (post_request below). Card photos decode one at a time per worker
# (admissions/intake/card_photos.py), so a worker needs its baseline plus one
# worst allowed photo (under 200 MB, tests/security/test_card_photos.py).
max_requests = 2000
max_requests_jitter = 200
max_worker_memory_mb = int(os.environ.get("GUNICORN_MAX_WORKER_MEMORY_MB", "600"))

# gunicorn's own request limits, not only nginx's: a request line (the admin's
# URLs with an encrypted search fit well), header count and header size.
# gunicorn has no body size limit: nginx's client_max_body_size caps bodies
# (deploy/nginx: 2 MB, 24 MB for the insurance form), Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE caps form fields and card_photos each photo.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
# Access log without query strings' values is nginx's job; here only errors.
accesslog = None
errorlog = "-"
# Proxies allowed to say the request came over HTTPS: explicit, never "*".
# By default the same list Django believes X-Forwarded-For from
# (DJANGO_TRUSTED_PROXIES; sheer_site.middleware sets the client's address),
# else nginx on this host. Only X-Forwarded-Proto is read for the scheme.
forwarded_allow_ips = os.environ.get(
    "GUNICORN_FORWARDED_ALLOW_IPS", os.environ.get("DJANGO_TRUSTED_PROXIES") or "127.0.0.1,::1"
)
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}


def _resident_mb() -> float:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def post_request(worker, req, environ, resp):
    """A worker past its memory budget finishes what it has and is replaced."""
    if max_worker_memory_mb and worker.alive and _resident_mb() > max_worker_memory_mb:
        worker.log.warning("worker %s over %s MB: restarting it", worker.pid, max_worker_memory_mb)
        worker.alive = False
