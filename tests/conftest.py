"""Shared fixtures: a real PostGIS database migrated once, each test in a rolled-back txn."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, make_url
from sqlalchemy.orm import Session, sessionmaker

#: Fixtures every directory may use: a station's money world, plan jobs run in-process, and
#: a live server with chromium for browser tests.
pytest_plugins = [
    "tests.support.money",
    "tests.support.plan_jobs",
    "tests.support.live",
    "tests.support.collector_app",
]

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "as_owner: the test's transaction runs as the database owner, not the application role",
    )
_BASE_URL = make_url(
    os.environ.get(
        "TEST_DATABASE_URL",
        os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/arrears_test"),
    )
)
# Each run gets its own database, built from nothing by the migrations and dropped at
# the end: runs never see each other's schema or leftovers.
TEST_DATABASE_URL = _BASE_URL.set(database=f"{_BASE_URL.database}_{os.getpid()}").render_as_string(
    hide_password=False
)


def app_login_url(url: str) -> str:
    """``url``'s database as the app's login (what ``create_app(TestConfig, DATABASE_URL=url)``
    uses: the application role with the password kept in instance/, made once)."""
    from api.config import TestConfig
    from api.startup import instance_secret
    from core.db import login_url

    password = instance_secret(ROOT / "instance" / "db_password")
    return login_url(url, TestConfig.DATABASE_ROLE, password)


def ensure_app_login(url: str) -> None:
    """Let the application role log in with the tests' password (as ``url``'s owner; roles
    are the cluster's, so concurrent runs and worktrees may do it at once)."""
    from core.db import ensure_app_login as ensure

    ensure(url, app_login_url(url))


def _drop_database(url: str) -> None:
    import psycopg

    u = make_url(url)
    admin = u.set(database="postgres", drivername="postgresql").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')


def _drop_stale_databases() -> None:
    """Drop databases left by killed runs (their process is gone)."""
    import psycopg

    admin = _BASE_URL.set(database="postgres", drivername="postgresql")
    prefix = f"{_BASE_URL.database}_"
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        names = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (prefix + "%",)
        ).fetchall()
    for (name,) in names:
        pid = name.removeprefix(prefix)
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            _drop_database(_BASE_URL.set(database=name).render_as_string(hide_password=False))


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """The test database at the head migration (so the migrations are tested too)."""
    from core.db import ensure_database

    _drop_stale_databases()
    _drop_database(TEST_DATABASE_URL)
    ensure_database(TEST_DATABASE_URL)
    command.upgrade(alembic_config(TEST_DATABASE_URL), "head")
    ensure_app_login(TEST_DATABASE_URL)
    # The owner's connections: factories build worlds here and each test's app joins its
    # rolled-back transaction; apps built on their own log in as the application role.
    eng = create_engine(TEST_DATABASE_URL, pool_size=10, max_overflow=20)
    yield eng
    eng.dispose()
    _drop_database(TEST_DATABASE_URL)


@pytest.fixture(scope="module")
def vacuumed_database(engine: Engine) -> None:
    """VACUUM the test database before a module that builds hundreds of ledgers.

    Every rolled-back test leaves its rows dead, and autovacuum may be off (it is on
    this machine's cluster): by the time the property tests run, the tables and indexes
    hold the whole suite's dead entries, which their plans' index probes walk. The
    ``bills_due`` property test took 67 s alone and about 10 minutes late in the suite."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM")


@pytest.fixture(scope="session")
def app_engine(engine: Engine) -> Iterator[Engine]:
    """The test database as the app's login (the application role, as web and workers
    log in): the tests' transactions run here, so a code path that needs more than the
    application role's rights fails its tests. ``engine`` is the owner's."""
    eng = create_engine(app_login_url(TEST_DATABASE_URL), pool_size=10, max_overflow=20)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(
    request: pytest.FixtureRequest, engine: Engine, app_engine: Engine
) -> Iterator[Connection]:
    """A connection inside a transaction rolled back after the test, as the application
    role; tests marked ``as_owner`` (they build what only the owner builds, a road network
    schema, or show what even the owner is refused) get the owner's."""
    owner = request.node.get_closest_marker("as_owner") is not None
    with (engine if owner else app_engine).connect() as conn:
        trans = conn.begin()
        try:
            yield conn
        finally:
            trans.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """An ORM session joined to the test's transaction; its commits become savepoints
    (released ones stay in the backend's subtransaction cache until the test's end:
    tests/support/subxacts.py)."""
    with Session(bind=connection, join_transaction_mode="create_savepoint") as s:
        yield s


@pytest.fixture(scope="session")
def _app_once(engine: Engine) -> Iterator[Any]:
    from api import create_app
    from api.config import TestConfig

    app = create_app(TestConfig, DATABASE_URL=TEST_DATABASE_URL)
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def app(_app_once: Any, connection: Connection) -> Iterator[Any]:
    """The Flask app whose request sessions join the test's rolled-back transaction."""
    from api.auth.token_cache import install as install_token_cache
    from api.route_cache import install as install_route_cache

    # Its caches are the process's again: a test that built another app (Redis down, a
    # startup check) installed that app's, and writes outside a request move the process's.
    install_route_cache(_app_once.extensions["route_cache"])
    install_token_cache(_app_once.extensions["token_cache"])
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
