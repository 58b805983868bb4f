"""WSGI entry point: the only place an app is built at import time."""

from api import create_app

app = create_app()
