"""Database helpers: the engine every process uses, creating and migrating the database.

No module-level engine: the app factory, workers, benches and tests each make their own.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, create_engine, event, exc, make_url

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def make_engine(url: str, *, statement_timeout_ms: int, role: str | None) -> Engine:
    """An engine whose connections bound each statement's time and act as ``role``
    (the application's restricted role; empty or None: the login's own)."""
    # JIT compilation costs more than it saves on this service's short queries; instants
    # come back in UTC whatever the server's zone (answers show UTC, plus local times).
    options = f"-c statement_timeout={statement_timeout_ms} -c jit=off -c timezone=UTC"
    if role:
        options += f" -c role={role}"
    engine = create_engine(url, connect_args={"options": options})
    _ping_when_idle(engine)
    return engine


#: A pooled connection idle longer than this is pinged before use.
PING_AFTER_IDLE_S = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only when it sat idle (a restart, failover or
    idle timeout may have dropped it meanwhile). SQLAlchemy's ``pool_pre_ping`` pings on
    every checkout: with psycopg that is a BEGIN and a SELECT 1, two round trips per
    request on top of the request's own. A busy connection that the server dropped fails
    its next statement instead: that request answers 503 (retry) and the pool drops every
    connection opened before it (:func:`api.errors.handle_database_unavailable`), as the
    restart test (tests/scoreboard/test_pg_restart.py) allows."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            cursor = dbapi.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi.rollback()
        except psycopg.Error as error:  # the pool discards it and connects anew
            raise exc.DisconnectionError() from error


def ensure_database(url: str) -> bool:
    """Create the database named in ``url`` if it is missing; True when created."""
    u = make_url(url)
    admin = u.set(database="postgres", drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (u.database,)
        ).fetchone()
        if exists:
            return False
        conn.execute(f'CREATE DATABASE "{u.database}"')  # name from our own config
        return True


def analyze_database(url: str) -> None:
    """Refresh the planner's statistics of every table, as the login (which owns them;
    the application role may not ANALYZE)."""
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("ANALYZE")


def upgrade_database(url: str) -> None:
    """Apply every migration up to head."""
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(cfg, "head")
