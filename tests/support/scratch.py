"""An app on a database of its own, migrated to head and empty, for tests that need one
(the shared test database holds what other tests committed); dropped afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import make_url

from tests.conftest import TEST_DATABASE_URL, _drop_database, alembic_config, ensure_app_login


@contextmanager
def scratch_app(name: str, **config: Any) -> Iterator[Any]:
    """``create_app(TestConfig, **config)`` on the empty database ``<test db>_<name>``,
    migrated by the owner; the app logs in as the application role."""
    from alembic import command

    from api import create_app
    from api.config import TestConfig
    from core.db import ensure_database

    base = make_url(TEST_DATABASE_URL)
    url = base.set(database=f"{base.database}_{name}").render_as_string(hide_password=False)
    _drop_database(url)
    ensure_database(url)
    command.upgrade(alembic_config(url), "head")  # as the owner
    ensure_app_login(url)  # the app logs in as the application role
    app = create_app(TestConfig, DATABASE_URL=url, **config)
    try:
        yield app
    finally:
        app.extensions["db_engine"].dispose()
        _drop_database(url)
