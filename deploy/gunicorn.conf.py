"""gunicorn settings for the API (`gunicorn -c deploy/gunicorn.conf.py wsgi:app`).

Every value can be overridden from the environment without editing this file; see
docs/deployment.md. `make run` serves the demo with exactly this file.
"""

import multiprocessing
import os

# Where to listen. Production: 127.0.0.1 behind the TLS-terminating reverse proxy.
bind = os.environ.get("ARREARS_BIND", "127.0.0.1:5000")

# Processes x threads. Requests mostly wait on PostgreSQL; argon2 logins are CPU-bound
# and capped per process (LOGIN_CONCURRENCY), so a few threads per worker suffice.
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count())))
worker_class = "gthread"
threads = int(os.environ.get("ARREARS_THREADS", "4"))

# A request may take up to the statement timeout (30 s) plus its own work; a worker
# silent for longer is killed and replaced.
timeout = int(os.environ.get("ARREARS_WORKER_TIMEOUT", "60"))
# Graceful reload (`kill -HUP <master>`, `systemctl reload`): workers finish their
# requests for up to this long before they are stopped.
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (memory growth from long-lived libraries).
max_requests = 2000
max_requests_jitter = 200

# The reverse proxy on this host is trusted for X-Forwarded-* (the app's own
# ARREARS_PROXY_FIX_X_FOR decides what it uses them for).
forwarded_allow_ips = os.environ.get("ARREARS_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Access log on stdout (journald / the Procfile runner collect it), errors on stderr.
accesslog = os.environ.get("ARREARS_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("ARREARS_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# Refuse oversized request lines and headers early (bodies are capped by the app).
limit_request_line = 8190
limit_request_fields = 100
