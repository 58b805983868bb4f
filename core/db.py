"""Database helpers: the engine every process uses, creating and migrating the database.

No module-level engine: the app factory, workers, benches and tests each make their own.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from sqlalchemy import Engine, create_engine, make_url

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def make_engine(url: str, *, statement_timeout_ms: int, role: str | None) -> Engine:
    """An engine whose connections bound each statement's time and act as ``role``
    (the application's restricted role; empty or None: the login's own)."""
    # JIT compilation costs more than it saves on this service's short queries; instants
    # come back in UTC whatever the server's zone (answers show UTC, plus local times).
    options = f"-c statement_timeout={statement_timeout_ms} -c jit=off -c timezone=UTC"
    if role:
        options += f" -c role={role}"
    return create_engine(url, pool_pre_ping=True, connect_args={"options": options})


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
