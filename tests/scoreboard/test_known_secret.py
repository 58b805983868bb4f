"""known-secret: the demo as `make run` serves it (gunicorn, deploy/gunicorn.conf.py,
ARREARS_DEMO) refuses a token signed with any string found in the repository, and
accepts its own (issue 16, items 1 and 2)."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest

from tests.support.gunicorn import gunicorn_demo

ROOT = Path(__file__).resolve().parents[2]
_QUOTED = re.compile(r"[\"']([^\"'\s]{16,200})[\"']")
_ASSIGNED = re.compile(r"=\s*([^\s\"']{16,200})\s*$", re.M)


def _repository_strings() -> set[str]:
    """Every quoted or assigned string of 16+ characters in the tracked text files."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    found: set[str] = set()
    for name in files:
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        found.update(_QUOTED.findall(text))
        found.update(_ASSIGNED.findall(text))
    return found


@pytest.fixture(scope="module")
def demo_server(live_database: tuple[str, Any], tmp_path_factory: Any) -> Iterator[str]:
    """gunicorn with the repository's config, in demo mode, on the live database."""
    with gunicorn_demo(live_database[0], tmp_path_factory.mktemp("instance"), {}) as base:
        yield base


def _call(conn: http.client.HTTPConnection, method: str, path: str, **kw: Any) -> Any:
    conn.request(method, path, **kw)
    resp = conn.getresponse()
    return resp.status, resp.getheader("Server"), resp.read()


def test_demo_served_by_gunicorn_refuses_every_repository_secret(demo_server: str) -> None:
    """Its own tokens work; the same claims signed with any repository string answer 401."""
    conn = http.client.HTTPConnection(demo_server.removeprefix("http://"), timeout=30)
    try:
        _check(conn)
    finally:
        conn.close()


def _check(conn: http.client.HTTPConnection) -> None:
    status, server, body = _call(
        conn,
        "POST",
        "/api/auth/login",
        body=json.dumps({"username": "admin", "password": "admin-demo"}),
        headers={"Content-Type": "application/json"},
    )
    assert status == 200, body
    assert server and server.startswith("gunicorn")
    token = json.loads(body)["access_token"]
    claims = pyjwt.decode(token, options={"verify_signature": False})
    me = _call(conn, "GET", "/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me[0] == 200
    candidates = _repository_strings()
    assert "dev-only-change-me-0123456789abcdef" in candidates  # the old default is found
    accepted = []
    for secret in sorted(candidates):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # short keys are candidates too
            forged = pyjwt.encode(claims, secret, "HS256")
        status, _, _ = _call(
            conn, "GET", "/api/auth/me", headers={"Authorization": f"Bearer {forged}"}
        )
        if status != 401:
            accepted.append(secret)
    assert accepted == []
