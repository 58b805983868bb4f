"""Headers and exposure (issue 16, item 4): nosniff, frame-ancestors and a CSP on every
answer, HSTS behind TLS, no-store on tokens, health details for admins only, the docs
only where enabled."""

from __future__ import annotations

import pytest

from api import create_app
from api.config import Config, TestConfig
from core.models import Role
from tests.conftest import TEST_DATABASE_URL
from tests.factories import PASSWORD


def _assert_security_headers(resp):
    h = resp.headers
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    csp = h["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "script-src 'self';" in csp  # no inline script
    assert "worker-src 'self' blob:" in csp and "img-src 'self' data: blob:" in csp


def test_every_kind_of_answer_carries_the_headers(factory, client):
    """Success, 401, 404, 405 and 422 answers, and the web page, all carry them."""
    user = factory.user(Role.ADMIN)
    headers = factory.token(user, client)
    for resp in (
        client.get("/api/auth/me", headers=headers),
        client.get("/api/auth/me"),
        client.get("/api/no-such-thing"),
        client.delete("/api/health"),
        client.post("/api/auth/login", json={"username": 1}),
        client.get("/app/"),
    ):
        _assert_security_headers(resp)
        resp.close()


def test_token_answers_are_never_stored(factory, client):
    """Login and refresh answers say Cache-Control: no-store."""
    user = factory.user(Role.ADMIN)
    login = client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
    assert login.status_code == 200 and login.headers["Cache-Control"] == "no-store"
    refresh = client.post(
        "/api/auth/refresh",
        headers={"Authorization": f"Bearer {login.json['refresh_token']}"},
    )
    assert refresh.status_code == 200 and refresh.headers["Cache-Control"] == "no-store"


def test_hsts_only_over_tls(client):
    """HSTS is sent on https requests, never on plain http."""
    plain = client.get("/api/no-such-thing")
    assert "Strict-Transport-Security" not in plain.headers
    tls = client.get("/api/no-such-thing", base_url="https://localhost")
    assert tls.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_hsts_behind_a_trusted_proxy(engine):
    """Behind one trusted proxy, X-Forwarded-Proto: https counts as TLS."""
    app = create_app(TestConfig, DATABASE_URL=TEST_DATABASE_URL, PROXY_FIX_X_FOR=1)
    try:
        c = app.test_client()
        resp = c.get("/api/no-such-thing", headers={"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" in resp.headers
    finally:
        app.extensions["db_engine"].dispose()


def test_health_details_for_admins_only(factory, client):
    """The load balancer and collectors get the bare status; an admin gets the versions."""
    st = factory.station()
    anon = client.get("/api/health")
    assert anon.status_code == 200 and anon.json == {"status": "healthy"}
    col = client.get("/api/health", headers=factory.token(factory.user(Role.COLLECTOR, st), client))
    assert col.json == {"status": "healthy"}
    bad = client.get("/api/health", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 200 and bad.json == {"status": "healthy"}
    admin = client.get("/api/health", headers=factory.token(factory.user(Role.ADMIN), client))
    assert admin.json["postgis"]["version"].startswith("3.")


@pytest.mark.parametrize(
    ("overrides", "served"),
    [
        ({}, False),  # production
        ({"API_DOCS": True}, True),  # enabled by config
        ({"DEMO": True}, True),  # make run
    ],
    ids=["production", "enabled", "demo"],
)
def test_docs_only_when_enabled(engine, tmp_path, overrides, served):
    """/api/docs, its assets and /api/openapi.json are 404 in production unless enabled."""
    app = create_app(
        Config,
        DATABASE_URL=TEST_DATABASE_URL,
        JWT_SECRET_KEY="s" * 48,
        SECRET_FILE=str(tmp_path / "secret"),
        **overrides,
    )
    try:
        c = app.test_client()
        for path in ("/api/docs", "/api/openapi.json", "/api/docs/assets/index.css"):
            resp = c.get(path)
            assert (resp.status_code == 200) is served, (path, resp.status_code)
            resp.close()
    finally:
        app.extensions["db_engine"].dispose()
