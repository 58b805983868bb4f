"""least-privilege-login (issue 16, item 3): web and workers log in as ``arrears_app``, a
role that is no superuser, creates nothing and owns nothing, so no code path can become
the owner again: ``RESET ROLE`` leaves it without UPDATE or DELETE on the ledger and
without CREATE on the schema, and ``SET ROLE postgres`` is refused. A production start
(web or worker) refuses a login that is a superuser or owns the schema's tables."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import DBAPIError

from api import create_app
from api.config import Config, TestConfig
from api.startup import StartupRefused, check_database_login
from tests.conftest import ROOT, TEST_DATABASE_URL, app_login_url

GOOD_SECRET = "k" * 48


@pytest.fixture
def app_engine(engine: Engine) -> Iterator[Engine]:
    """The engine an app builds from the owner's URL: the application role's own login."""
    app = create_app(TestConfig, DATABASE_URL=TEST_DATABASE_URL)
    assert make_url(app.config["DATABASE_URL"]).username == "arrears_app"
    owner = make_url(app.config["DATABASE_OWNER_URL"]).username
    assert owner == make_url(TEST_DATABASE_URL).username
    yield app.extensions["db_engine"]
    app.extensions["db_engine"].dispose()


def _refused(conn: Any, statement: str) -> str:
    with pytest.raises(DBAPIError) as err:
        conn.execute(text(statement))
    conn.rollback()
    return str(err.value.orig)


def test_the_login_is_the_application_role_and_owns_nothing(app_engine: Engine) -> None:
    with app_engine.connect() as conn:
        assert conn.execute(text("SELECT session_user, current_user")).one() == (
            "arrears_app",
            "arrears_app",
        )
        attrs = conn.execute(
            text(
                "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls "
                "FROM pg_roles WHERE rolname = session_user"
            )
        ).one()
        assert tuple(attrs) == (True, False, False, False, False)
        # Owns no object in any database of the cluster (shared dependency records).
        owned = conn.scalar(
            text(
                "SELECT count(*) FROM pg_shdepend WHERE deptype = 'o' AND refobjid = "
                "(SELECT oid FROM pg_roles WHERE rolname = session_user)"
            )
        )
        assert owned == 0
        # Member of no other role: there is nothing to SET ROLE to.
        assert not conn.scalar(
            text(
                "SELECT count(*) FROM pg_auth_members WHERE member = "
                "(SELECT oid FROM pg_roles WHERE rolname = session_user)"
            )
        )


def test_reset_role_leaves_no_way_back_to_the_owner(app_engine: Engine) -> None:
    with app_engine.connect() as conn:
        conn.execute(text("RESET ROLE"))
        assert conn.scalar(text("SELECT current_user")) == "arrears_app"
        for right in ("UPDATE", "DELETE", "TRUNCATE"):
            assert not conn.scalar(text(f"SELECT has_table_privilege('payment', '{right}')"))
        assert conn.scalar(text("SELECT has_table_privilege('payment', 'INSERT')"))
        assert not conn.scalar(text("SELECT has_schema_privilege('public', 'CREATE')"))
        assert not conn.scalar(
            text("SELECT has_database_privilege(current_database(), 'CREATE')")
        )
        # Refused by privileges, before any append-only trigger could say so.
        for statement in ("UPDATE payment SET amount = amount", "DELETE FROM payment"):
            message = _refused(conn, statement)
            assert "permission denied" in message and "append-only" not in message
        assert "permission denied" in _refused(conn, "CREATE TABLE public.squat (i int)")
        assert "must be owner" in _refused(
            conn, "ALTER TABLE payment DISABLE TRIGGER payment_append_only"
        )
        assert "permission denied to set role" in _refused(conn, "SET ROLE postgres")
        conn.execute(text("RESET ROLE"))
        assert conn.scalar(text("SELECT current_user")) == "arrears_app"


def _start(module_code: str, database_url: str) -> subprocess.CompletedProcess[str]:
    """A production start (no demo, a good secret) in a clean environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("ARREARS_")}
    base.pop("DATABASE_OWNER_URL", None)
    return subprocess.run(
        [sys.executable, "-c", module_code],
        cwd=ROOT,
        env=base | {"DATABASE_URL": database_url, "ARREARS_JWT_SECRET_KEY": GOOD_SECRET},
        capture_output=True,
        text=True,
        timeout=90,
    )


@pytest.mark.parametrize(
    "code",
    ["import wsgi", "from api import celery_app; celery_app.celery"],
    ids=["web", "worker"],
)
def test_production_start_refuses_a_superuser_login(engine: Engine, code: str) -> None:
    started = _start(code, TEST_DATABASE_URL)  # postgres: the owner and a superuser
    assert started.returncode != 0
    assert "refusing to start" in started.stderr and "superuser" in started.stderr
    assert "DATABASE_URL" in started.stderr and "Traceback" not in started.stderr


def test_production_start_as_the_application_role_serves(engine: Engine) -> None:
    started = _start("import wsgi", app_login_url(TEST_DATABASE_URL))
    assert started.returncode == 0, started.stderr


def test_production_start_refuses_a_login_that_owns_a_table(engine: Engine) -> None:
    """Not a superuser, but the owner of one table: it could drop its triggers."""
    role = f"arrears_test_owner_{os.getpid()}"
    password = secrets.token_urlsafe(24)
    table = f"owned_probe_{os.getpid()}"
    with engine.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'"))
        conn.execute(text(f"CREATE TABLE {table} (i int)"))
        conn.execute(text(f"ALTER TABLE {table} OWNER TO {role}"))
        conn.commit()
    app = None
    try:
        url = make_url(TEST_DATABASE_URL).set(username=role, password=password)
        app = create_app(
            Config, JWT_SECRET_KEY=GOOD_SECRET, DATABASE_URL=url.render_as_string(False)
        )
        with pytest.raises(StartupRefused, match="owns"):
            check_database_login(app)
    finally:
        if app is not None:
            app.extensions["db_engine"].dispose()
        with engine.connect() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
            conn.commit()


def test_giving_the_login_is_idempotent_and_safe_at_once(engine: Engine) -> None:
    """Roles are the cluster's: several test runs and worktrees give the role its login at
    the same moment (``flask db ensure``, the tests' setup); all succeed, once or not."""
    from concurrent.futures import ThreadPoolExecutor

    from core.db import can_log_in, ensure_app_login, login_url

    role = f"arrears_test_login_{os.getpid()}"
    owner = TEST_DATABASE_URL
    url = login_url(owner, role, secrets.token_urlsafe(24))
    with engine.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} NOLOGIN"))
        conn.commit()
    try:
        assert not can_log_in(url)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _: ensure_app_login(owner, url), range(8)))
        ensure_app_login(owner, url)  # and again: nothing to do
        assert can_log_in(url)
        with engine.connect() as conn:
            attrs = conn.execute(
                text(
                    "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles "
                    "WHERE rolname = :r"
                ),
                {"r": role},
            ).one()
        assert tuple(attrs) == (True, False, False, False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
            conn.commit()
