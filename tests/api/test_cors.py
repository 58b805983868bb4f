"""CORS: nothing allowed by default; a configured origin may read, others get no header."""

from __future__ import annotations

import pytest

ORIGIN = "https://gis.example.org"


@pytest.fixture
def cors_app(app):
    app.config["CORS_ORIGINS"] = [ORIGIN]
    yield app
    app.config["CORS_ORIGINS"] = []


def test_no_origin_is_allowed_by_default(client):
    """Without configuration no response carries Access-Control-Allow-Origin."""
    resp = client.get("/api/health", headers={"Origin": ORIGIN})
    assert "Access-Control-Allow-Origin" not in resp.headers
    pre = client.options(
        "/api/accounts",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"},
    )
    assert "Access-Control-Allow-Origin" not in pre.headers


def test_configured_origin_is_echoed_and_exposes_etag(cors_app, factory, client):
    """A configured origin is echoed, with Vary: Origin and ETag exposed; no credentials."""
    from core.models import Role

    station = factory.station()
    sup = factory.user(Role.SUPERVISOR, station)
    headers = {**factory.token(sup, client), "Origin": ORIGIN}
    resp = client.get("/api/tiles/accounts/14/13210/6537.mvt", headers=headers)
    assert resp.status_code == 200
    assert resp.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in resp.headers["Vary"]
    assert "ETag" in resp.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in resp.headers


def test_preflight_of_a_configured_origin_names_methods_and_headers(cors_app, client):
    """A preflight from a configured origin is answered with methods, headers and max age."""
    pre = client.options(
        "/api/accounts",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert pre.status_code == 200
    assert pre.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Authorization" in pre.headers["Access-Control-Allow-Headers"]
    assert "GET" in pre.headers["Access-Control-Allow-Methods"]


def test_other_origin_gets_no_cors_header(cors_app, client):
    """An origin not in the list gets no CORS header, even on a preflight."""
    evil = "https://evil.example.com"
    resp = client.get("/api/health", headers={"Origin": evil})
    assert "Access-Control-Allow-Origin" not in resp.headers
    pre = client.options(
        "/api/accounts", headers={"Origin": evil, "Access-Control-Request-Method": "DELETE"}
    )
    assert "Access-Control-Allow-Origin" not in pre.headers
    assert "Access-Control-Allow-Methods" not in pre.headers
