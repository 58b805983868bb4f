"""What an instance checks before it may sign tokens or serve (issue 16, item 2).

- No instance signs tokens with a secret from the repository. A production start (not
  ``DEMO``, not ``TESTING``) refuses a missing, published or short (< 32 bytes)
  ``JWT_SECRET_KEY``; the demo (``ARREARS_DEMO=true``, as ``make run`` sets it) without a
  configured secret generates a random one once and keeps it in the instance folder,
  outside the repository.
- A production server refuses to serve while a user still has a demo password
  (``check_no_demo_passwords``, called by ``wsgi.py``).
- Web and workers log in as the application role, never as the owner (issue 16, item 3).
  The demo and the tests may name the owner in ``DATABASE_URL``: the app then logs in as
  ``DATABASE_ROLE`` on the same database with a random password kept in the instance
  folder (``configure_database_logins``; ``flask db ensure`` gives the role that login).
  A server or worker start refuses a login that is a superuser or owns the schema
  (``check_database_login``, called by ``wsgi.py`` and the Celery app).
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import psycopg
from flask import Flask
from sqlalchemy import make_url, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from core.db import login_problem, login_url
from core.models import User

MIN_SECRET_BYTES = 32
#: Secrets that were once in the repository: anyone can sign tokens with them.
PUBLISHED_SECRETS = frozenset(
    {
        "dev-only-change-me-0123456789abcdef",
        "test-secret-key-0123456789abcdef-0123456789",
    }
)
#: The demo's usernames (demo/generator.py): the only rows whose password is checked.
DEMO_USERNAMES = r"^(admin|supervisor(-[a-z0-9]+)?|collector(\d+|-[a-z0-9]+-\d+|-demo))$"


class StartupRefused(SystemExit):
    """The instance may not start; the message says what to set."""

    def __init__(self, message: str) -> None:
        super().__init__(f"arrears: refusing to start: {message}")


def secret_problem(secret: object) -> str | None:
    """Why ``secret`` may not sign tokens, or None when it may."""
    if not secret:
        return "ARREARS_JWT_SECRET_KEY is not set"
    if not isinstance(secret, str):
        return "ARREARS_JWT_SECRET_KEY must be a string"
    if secret in PUBLISHED_SECRETS:
        return "ARREARS_JWT_SECRET_KEY is a published default from the repository"
    if len(secret.encode()) < MIN_SECRET_BYTES:
        return f"ARREARS_JWT_SECRET_KEY is shorter than {MIN_SECRET_BYTES} bytes"
    return None


def instance_secret(path: Path) -> str:
    """A random secret kept in ``path`` (the instance folder, outside the repository), made
    on first use (0600) and read back afterwards; concurrent first starts (gunicorn workers,
    parallel test runs) agree on one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    for _ in range(50):  # another process may be writing it this instant
        value = path.read_text().strip()
        if value:
            return value
        time.sleep(0.01)
    raise StartupRefused(f"the secret file {path} is empty")


def configure_secret(app: Flask) -> None:
    """Make sure ``JWT_SECRET_KEY`` may sign tokens, or refuse to start."""
    if app.config["TESTING"]:
        return
    if app.config["DEMO"] and not app.config.get("JWT_SECRET_KEY"):
        path = Path(app.config["SECRET_FILE"] or Path(app.instance_path) / "jwt_secret")
        app.config["JWT_SECRET_KEY"] = instance_secret(path)
    problem = secret_problem(app.config.get("JWT_SECRET_KEY"))
    if problem:
        raise StartupRefused(
            f"{problem}. Set it to a random value of at least {MIN_SECRET_BYTES} bytes, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`, or run the demo "
            "with ARREARS_DEMO=true (`make run`), which keeps a random one in instance/."
        )


def check_no_demo_passwords(app: Flask) -> None:
    """Refuse to serve outside the demo while a demo user keeps its published password."""
    if app.config["DEMO"] or app.config["TESTING"]:
        return
    from demo.generator import DEMO_PASSWORDS

    passwords = app.extensions["passwords"]
    with app.extensions["db_sessionmaker"]() as session:
        try:
            users = session.scalars(
                select(User).where(User.username.op("~")(DEMO_USERNAMES))
            ).all()
        except (OperationalError, ProgrammingError):
            # No database or no schema yet (``flask db ensure`` on a new server is about to
            # make them): no user can hold a demo password.
            return
        weak = [
            u.username
            for u in users
            if passwords.verify(u.password_hash, DEMO_PASSWORDS.get(u.role.value, ""))
        ]
    if weak:
        raise StartupRefused(
            f"users {', '.join(sorted(weak))} still have the demo's published passwords. "
            "Change them (`flask users token --username NAME` prints a one-time token for "
            "POST /api/auth/password/reset) or serve the demo with ARREARS_DEMO=true."
        )


def configure_database_logins(app: Flask) -> None:
    """``DATABASE_OWNER_URL`` (migrations) and ``DATABASE_URL`` (web and workers) as the app
    uses them. The owner's URL defaults to ``DATABASE_URL`` as configured. In the demo and
    the tests a ``DATABASE_URL`` naming another login than ``DATABASE_ROLE`` (the owner,
    ``postgres`` on a development machine) becomes ``DATABASE_ROLE`` on the same database,
    with the password of ``DATABASE_PASSWORD_FILE`` (default ``<instance>/db_password``,
    made once). Production takes both URLs as given; ``check_database_login`` refuses an
    owner or a superuser there."""
    url = app.config["DATABASE_URL"]
    app.config["DATABASE_OWNER_URL"] = app.config.get("DATABASE_OWNER_URL") or url
    role = app.config["DATABASE_ROLE"]
    if (app.config["DEMO"] or app.config["TESTING"]) and role and make_url(url).username != role:
        path = Path(app.config["DATABASE_PASSWORD_FILE"] or Path(app.instance_path) / "db_password")
        app.config["DATABASE_URL"] = login_url(url, role, instance_secret(path))


def check_database_login(app: Flask) -> None:
    """Refuse to serve or work when the database login is a superuser, may create roles or
    owns (or may become the owner of) the schema: any code path could then undo the
    application role's limits (``RESET ROLE``, ``SET ROLE postgres``, drop a trigger)."""
    if app.config["TESTING"]:
        return
    try:
        problem = login_problem(app.config["DATABASE_URL"])
    except psycopg.OperationalError:
        # The server is not reachable yet: requests answer 503 until it is (a start does
        # not wait for the database); the login is checked again at every start.
        app.logger.warning("arrears: the database login could not be checked (no database)")
        return
    if problem:
        raise StartupRefused(
            f"{problem}. Web and workers log in as the application role: set DATABASE_URL "
            "to postgresql+psycopg://arrears_app:PASSWORD@HOST/DB (LOGIN, NOSUPERUSER, "
            "NOCREATEROLE, owning nothing) and DATABASE_OWNER_URL to the owner for "
            "`flask db ensure` (docs/deployment.md)."
        )
