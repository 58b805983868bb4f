"""Engine and per-request sessions, bound in the app factory (no module-level engine)."""

from __future__ import annotations

from pathlib import Path

import psycopg
from flask import Flask, current_app, g
from sqlalchemy import create_engine, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def init_app(app: Flask) -> None:
    # JIT compilation costs more than it saves on this service's short queries.
    options = f"-c statement_timeout={app.config['STATEMENT_TIMEOUT_MS']} -c jit=off"
    if app.config["DATABASE_ROLE"]:
        options += f" -c role={app.config['DATABASE_ROLE']}"
    engine = create_engine(
        app.config["DATABASE_URL"], pool_pre_ping=True, connect_args={"options": options}
    )
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The request's session, created on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


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
