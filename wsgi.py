"""WSGI entry point (``gunicorn -c deploy/gunicorn.conf.py wsgi:app``): the only place an
app is built at import time. A production start refuses a missing, published or short
secret and demo passwords (api/startup.py)."""

from api import create_app
from api.startup import check_no_demo_passwords

app = create_app()
check_no_demo_passwords(app)
