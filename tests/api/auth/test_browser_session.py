"""Web pages' sessions: the refresh token lives in an httpOnly cookie, refreshed with CSRF."""

from __future__ import annotations

from core.models import Role
from tests.factories import PASSWORD
from tests.support.refresh import past_the_interval

REFRESH = "refresh_token_cookie"
CSRF = "csrf_refresh_token"


def _cookie_login(client, user):
    resp = client.post(
        "/api/auth/login",
        json={"username": user.username, "password": PASSWORD, "cookie": True},
    )
    assert resp.status_code == 200, resp.json
    return resp


def _set_cookies(resp) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in resp.headers.getlist("Set-Cookie")}


def test_a_cookie_login_keeps_the_refresh_token_out_of_the_body_and_out_of_scripts(factory, client):
    """The refresh token is an httpOnly SameSite=Strict cookie for /api/auth/ only."""
    resp = _cookie_login(client, factory.user(Role.ADMIN))
    assert "refresh_token" not in resp.json and resp.json["access_token"]
    cookies = _set_cookies(resp)
    refresh, csrf = cookies[REFRESH], cookies[CSRF]
    assert "HttpOnly" in refresh and "SameSite=Strict" in refresh and "Path=/api/auth/" in refresh
    assert "HttpOnly" not in csrf and "Path=/" in csrf  # the page reads it to send the header


def test_a_cookie_refresh_needs_the_csrf_header(factory, client):
    """Without X-CSRF-TOKEN the cookie refreshes nothing (401); with it, a new access token."""
    _cookie_login(client, factory.user(Role.SUPERVISOR, factory.station()))
    refused = client.post("/api/auth/refresh")
    assert refused.status_code == 401 and refused.content_type == "application/problem+json"
    csrf = client.get_cookie(CSRF, path="/").value
    ok = client.post("/api/auth/refresh", headers={"X-CSRF-TOKEN": csrf})
    assert ok.status_code == 200, ok.json
    assert ok.json["access_token"] and "refresh_token" not in ok.json
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {ok.json['access_token']}"})
    assert me.status_code == 200


def test_a_replayed_refresh_cookie_revokes_the_login(factory, client, session, app):
    """The cookie rotates on each refresh; sending an old one again past the reuse
    interval revokes the family."""
    _cookie_login(client, factory.user(Role.COLLECTOR, factory.station()))
    old_refresh = client.get_cookie(REFRESH, path="/api/auth/").value
    old_csrf = client.get_cookie(CSRF, path="/").value
    first = client.post("/api/auth/refresh", headers={"X-CSRF-TOKEN": old_csrf})
    assert first.status_code == 200
    new_refresh = client.get_cookie(REFRESH, path="/api/auth/").value
    assert new_refresh != old_refresh
    new_csrf = client.get_cookie(CSRF, path="/").value
    client.set_cookie(REFRESH, old_refresh, path="/api/auth/")
    client.set_cookie(CSRF, old_csrf, path="/")
    past_the_interval(session, app)
    replay = client.post("/api/auth/refresh", headers={"X-CSRF-TOKEN": old_csrf})
    assert replay.status_code == 401
    client.set_cookie(REFRESH, new_refresh, path="/api/auth/")  # the owner's, revoked too
    client.set_cookie(CSRF, new_csrf, path="/")
    assert client.post("/api/auth/refresh", headers={"X-CSRF-TOKEN": new_csrf}).status_code == 401


def test_logout_clears_the_refresh_cookie(factory, client):
    """Logging out expires the page's refresh cookie and revokes the login."""
    resp = _cookie_login(client, factory.user(Role.ADMIN))
    token = resp.json["access_token"]
    out = client.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert out.status_code == 204
    assert client.get_cookie(REFRESH, path="/api/auth/") is None
