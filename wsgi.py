"""WSGI entry point (``gunicorn -c deploy/gunicorn.conf.py wsgi:app``): the only place an
app is built at import time. A production start refuses a missing, published or short
secret, demo passwords and a database login that is a superuser or the owner
(api/startup.py)."""

import gc

from api import create_app
from api.startup import check_database_login, check_no_demo_passwords

app = create_app()
check_database_login(app)
check_no_demo_passwords(app)
# What the import and the app built (~210,000 objects: modules, models, schemas, the
# SQL metadata) lives as long as the worker: frozen out of the collector's full passes,
# which otherwise walked all of it every few dozen requests (150-200 ms on the 1M
# county's list pages, docs/scaling.md). Objects made later are collected as before.
gc.freeze()
