"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py`.

Values come from the environment so one file serves every host. Workers are
processes with a few threads each: page rendering is CPU-bound, database waits
overlap inside a process. Each thread holds at most one database connection
(CONN_MAX_AGE), so connections = workers x threads per instance; keep that
under PostgreSQL's max_connections divided by the number of instances.
"""

import multiprocessing
import os

wsgi_app = "sheer_site.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then to cap slow memory growth.
max_requests = 2000
max_requests_jitter = 200
# Access log without query strings' values is nginx's job; here only errors.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
