"""Database helpers: the engine every process uses, creating and migrating the database,
and the application's login.

No module-level engine: the app factory, workers, benches and tests each make their own.

Two logins: the **owner** (``DATABASE_OWNER_URL``) creates the database and runs the
migrations; web and workers log in as the application role ``arrears_app``
(``DATABASE_URL``), which owns nothing, may not create anything and may not UPDATE, DELETE
or TRUNCATE the money ledger (migration 0009 and later REVOKEs).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Engine, create_engine, event, exc, make_url

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def make_engine(url: str, *, statement_timeout_ms: int, role: str | None) -> Engine:
    """An engine whose connections bound each statement's time and act as ``role``
    (the application's restricted role; empty or None, or the login itself: the login's
    own, with no ``SET ROLE`` that ``RESET ROLE`` could undo)."""
    # JIT compilation costs more than it saves on this service's short queries; instants
    # come back in UTC whatever the server's zone (answers show UTC, plus local times).
    options = f"-c statement_timeout={statement_timeout_ms} -c jit=off -c timezone=UTC"
    if role and make_url(url).username != role:
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


def _conninfo(url: str, database: str | None = None) -> str:
    u = make_url(url).set(drivername="postgresql")
    if database:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


def login_url(url: str, username: str, password: str | None) -> str:
    """``url`` (same server, same database) logging in as ``username`` with ``password``."""
    return make_url(url).set(username=username, password=password).render_as_string(
        hide_password=False
    )


def ensure_database(url: str) -> bool:
    """Create the database named in ``url`` if it is missing; True when created."""
    u = make_url(url)
    with psycopg.connect(_conninfo(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (u.database,)
        ).fetchone()
        if exists:
            return False
        conn.execute(f'CREATE DATABASE "{u.database}"')  # name from our own config
        return True


def analyze_database(url: str) -> None:
    """Refresh the planner's statistics of every table, as the login ``url`` names (the
    owner's URL: the application role may not ANALYZE)."""
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        conn.execute("ANALYZE")


def vacuum_database(url: str) -> None:
    """``VACUUM (ANALYZE)`` every table, as the owner: after a bulk load, what autovacuum
    gives a live database in time (each page's visibility bit and its rows' hint bits set,
    so reads skip the commit log and index-only scans skip the heap) and the statistics."""
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def set_random_page_cost(url: str, cost: float) -> None:
    """Tell the query planner of ``url``'s database what a random page read costs against a
    sequential one (new sessions see it), as the owner. PostgreSQL's default 4 is for
    spinning disks: with it a station's aggregate reads the county's tables sequentially
    rather than reach the station's rows through an index (docs/scaling.md)."""
    database = make_url(url).database
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("ALTER DATABASE {} SET random_page_cost = {}").format(
                sql.Identifier(database or ""), sql.Literal(float(cost))
            )
        )


def upgrade_database(url: str) -> None:
    """Apply every migration up to head."""
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(cfg, "head")


class LoginRefused(RuntimeError):
    """The application's login cannot be made to work by the owner; says what to do."""


def can_log_in(url: str) -> bool:
    """Whether the login of ``url`` (with its password) gets a connection."""
    try:
        with psycopg.connect(_conninfo(url), connect_timeout=10) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError:
        return False
    return True


def ensure_app_login(owner_url: str, app_url: str) -> None:
    """Make the role of ``app_url`` able to log in with ``app_url``'s password, as the owner
    (who needs CREATEROLE or superuser for that): ``ALTER ROLE ... LOGIN PASSWORD`` only
    when the login does not work yet. Idempotent, and safe when several processes do it
    at once on one cluster (roles are the cluster's, shared by all its databases): a
    concurrent ``ALTER ROLE`` ("tuple concurrently updated") is retried after looking
    again."""
    app = make_url(app_url)
    if not app.username:
        raise LoginRefused("DATABASE_URL names no login")
    statement = sql.SQL("ALTER ROLE {} WITH LOGIN").format(sql.Identifier(app.username))
    if app.password is not None:
        statement += sql.SQL(" PASSWORD {}").format(sql.Literal(str(app.password)))
    for attempt in range(10):
        if can_log_in(app_url):
            return
        try:
            with psycopg.connect(_conninfo(owner_url), autocommit=True) as conn:
                conn.execute(statement)
        except psycopg.errors.InsufficientPrivilege as exc:
            raise LoginRefused(
                f"the login {app.username!r} cannot log in with DATABASE_URL and the owner "
                f"may not change it ({exc.diag.message_primary}). As a database "
                f"administrator: ALTER ROLE {app.username} WITH LOGIN PASSWORD '...' "
                "(the password of DATABASE_URL); see docs/deployment.md."
            ) from exc
        except (psycopg.errors.InternalError_, psycopg.errors.UniqueViolation):
            time.sleep(0.05 * (attempt + 1))  # another process altered the role at once
    if not can_log_in(app_url):
        raise LoginRefused(
            f"the login {app.username!r} still cannot log in with DATABASE_URL's password "
            "(is the server's pg_hba.conf letting it in from this host?)"
        )


#: What a login for the web and workers may not be: a superuser, a role creator (it could
#: grant itself the owner), or the owner (or a member of the owner) of a table, a schema or
#: the database (an owner may drop triggers and grant itself the ledger back).
LOGIN_POWERS = r"""
SELECT r.rolname, r.rolsuper, r.rolcreaterole,
  EXISTS (
    SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
      AND pg_has_role(r.oid, c.relowner, 'MEMBER')
  ) OR EXISTS (
    SELECT 1 FROM pg_namespace n
    WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
      AND pg_has_role(r.oid, n.nspowner, 'MEMBER')
  ) OR EXISTS (
    SELECT 1 FROM pg_database d
    WHERE d.datname = current_database() AND pg_has_role(r.oid, d.datdba, 'MEMBER')
  ) AS owns
FROM pg_roles r WHERE r.rolname = session_user
"""


def login_problem(url: str) -> str | None:
    """Why the login of ``url`` may not serve web or workers (:data:`LOGIN_POWERS`), or
    None. Connects as the login itself, without the ``SET ROLE`` the app adds."""
    with psycopg.connect(_conninfo(url), connect_timeout=10) as conn:
        row = conn.execute(LOGIN_POWERS).fetchone()
    if row is None:
        return "the database login has no role"
    name, superuser, createrole, owns = row
    if superuser:
        return f"the database login {name!r} is a superuser"
    if createrole:
        return f"the database login {name!r} may create roles (CREATEROLE)"
    if owns:
        return f"the database login {name!r} owns (or may become the owner of) the schema's objects"
    return None
