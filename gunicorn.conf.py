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
# Recycle workers now and then to cap slow memory growth.
max_requests = 2000
max_requests_jitter = 200
# Access log without query strings' values is nginx's job; here only errors.
accesslog = None
errorlog = "-"
# Proxies allowed to say the request came over HTTPS (X-Forwarded-Proto);
# the client's address is set by sheer_site.middleware (DJANGO_TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
