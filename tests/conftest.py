"""Shared fixtures: a real PostGIS database migrated once, each test in a rolled-back transaction."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parents[1]
TEST_DATABASE_URL = os.environ.get(
    "TEST_DATABASE_URL",
    os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/arrears_test"),
)


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """The test database at the head migration (so the migrations are tested too)."""
    from api.db import ensure_database

    ensure_database(TEST_DATABASE_URL)
    command.upgrade(alembic_config(TEST_DATABASE_URL), "head")
    eng = create_engine(TEST_DATABASE_URL, pool_size=10, max_overflow=20)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            yield conn
        finally:
            trans.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """An ORM session joined to the test's transaction; its commits become savepoints."""
    with Session(bind=connection, join_transaction_mode="create_savepoint") as s:
        yield s


@pytest.fixture(scope="session")
def _app_once(engine: Engine) -> Any:
    from api import create_app
    from api.config import TestConfig

    return create_app(TestConfig, DATABASE_URL=TEST_DATABASE_URL)


@pytest.fixture
def app(_app_once: Any, connection: Connection) -> Iterator[Any]:
    """The Flask app whose request sessions join the test's rolled-back transaction."""
    _app_once.extensions["db_sessionmaker"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield _app_once


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def factory(session: Session, app: Any) -> Any:
    """Builds stations, users, accounts and tokens inside the test's transaction."""
    from tests.factories import Factory

    return Factory(session, app)
