"""No known secret (issue 16, item 2): a production start refuses a missing, published or
short secret and demo passwords; the demo keeps a random secret in the instance folder;
demo users are seeded only when the demo is asked for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api import create_app
from api.config import Config
from api.startup import PUBLISHED_SECRETS, StartupRefused, check_no_demo_passwords
from core.models import Role
from tests.conftest import ROOT, TEST_DATABASE_URL, app_login_url

GOOD = "k" * 48


def _start_wsgi(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``import wsgi`` (what gunicorn does) in a clean environment plus ``env``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("ARREARS_")}
    return subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=base | {"DATABASE_URL": app_login_url(TEST_DATABASE_URL)} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "secret",
    [None, "", "short-secret-0123456789", *sorted(PUBLISHED_SECRETS)],
    ids=["missing", "empty", "short", "published-dev", "published-test"],
)
def test_production_start_refuses_a_bad_secret(engine, secret):
    """Starting the server without the demo and with a bad secret exits with a clear message."""
    env = {} if secret is None else {"ARREARS_JWT_SECRET_KEY": secret}
    started = _start_wsgi(env)
    assert started.returncode != 0
    assert "refusing to start" in started.stderr and "ARREARS_JWT_SECRET_KEY" in started.stderr
    assert "Traceback" not in started.stderr


def test_production_start_with_a_good_secret_serves(engine):
    """A long random secret and no demo users: the server starts."""
    started = _start_wsgi({"ARREARS_JWT_SECRET_KEY": GOOD})
    assert started.returncode == 0, started.stderr


def test_demo_makes_and_keeps_a_random_secret_outside_the_repo(tmp_path):
    """The demo generates its secret once (0600) and every later start reads the same one."""
    path = tmp_path / "instance" / "jwt_secret"
    first = create_app(Config, DEMO=True, SECRET_FILE=str(path), DATABASE_URL=TEST_DATABASE_URL)
    second = create_app(Config, DEMO=True, SECRET_FILE=str(path), DATABASE_URL=TEST_DATABASE_URL)
    secret = first.config["JWT_SECRET_KEY"]
    assert secret == second.config["JWT_SECRET_KEY"] == path.read_text()
    assert len(secret) >= 48 and path.stat().st_mode & 0o077 == 0
    assert secret not in PUBLISHED_SECRETS
    default = Path(first.instance_path)
    assert default.name == "instance" and "instance/" in (ROOT / ".gitignore").read_text()
    for app in (first, second):
        app.extensions["db_engine"].dispose()


def test_a_configured_secret_wins_over_the_demo_file(tmp_path):
    """The demo with ARREARS_JWT_SECRET_KEY set uses it and writes no file."""
    path = tmp_path / "jwt_secret"
    app = create_app(
        Config,
        DEMO=True,
        SECRET_FILE=str(path),
        JWT_SECRET_KEY=GOOD,
        DATABASE_URL=TEST_DATABASE_URL,
    )
    assert app.config["JWT_SECRET_KEY"] == GOOD and not path.exists()
    app.extensions["db_engine"].dispose()


def test_serving_refuses_demo_passwords_outside_the_demo(app, factory, monkeypatch):
    """A non-demo server refuses while a demo user keeps its published password."""
    factory.user(Role.ADMIN, username="admin", password="admin-demo")
    monkeypatch.setitem(app.config, "TESTING", False)
    with pytest.raises(StartupRefused, match="admin"):
        check_no_demo_passwords(app)
    monkeypatch.setitem(app.config, "DEMO", True)
    check_no_demo_passwords(app)  # the demo itself tolerates them


def test_serving_accepts_changed_demo_passwords(app, factory, monkeypatch):
    """Demo usernames with other passwords do not stop the server."""
    factory.user(Role.ADMIN, username="admin", password="a-long-new-password")
    monkeypatch.setitem(app.config, "TESTING", False)
    check_no_demo_passwords(app)


def test_demo_seed_needs_the_demo_asked_for(app):
    """`flask demo seed` without ARREARS_DEMO refuses: its users' passwords are published."""
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--accounts", "20"])
    assert result.exit_code != 0 and "ARREARS_DEMO" in result.output
