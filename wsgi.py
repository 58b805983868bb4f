"""WSGI entry point (``gunicorn -c deploy/gunicorn.conf.py wsgi:app``): the only place an
app is built at import time. A production start refuses a missing, published or short
secret, demo passwords and a database login that is a superuser or the owner
(api/startup.py)."""

from api import create_app
from api.startup import check_database_login, check_no_demo_passwords

app = create_app()
check_database_login(app)
check_no_demo_passwords(app)
