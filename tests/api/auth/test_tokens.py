"""The token suite: every bad, expired, revoked or reused token answers 401 problem+json."""

from __future__ import annotations

import base64
import datetime as dt
import json

import jwt as pyjwt
from flask_jwt_extended import create_access_token

from core.models import Role
from tests.support.auth_calls import login as _login
from tests.support.auth_calls import me as _me
from tests.support.refresh import past_the_interval


def _assert_401(resp):
    assert resp.status_code == 401, resp.json
    assert resp.content_type == "application/problem+json"
    assert resp.headers.get("WWW-Authenticate") == "Bearer"


def test_login_gives_working_tokens_for_each_role(factory, client):
    """Each role logs in and its access token identifies it."""
    st = factory.station()
    for role in (Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR):
        user = factory.user(role, st) if role is not Role.ADMIN else factory.user(role)
        tokens = _login(client, user)
        me = _me(client, tokens["access_token"])
        assert me.status_code == 200 and me.json["role"] == role.value


def test_wrong_password_and_unknown_user_answer_the_same_401(factory, client):
    """A wrong password and an unknown user are indistinguishable 401s."""
    user = factory.user(Role.ADMIN)
    a = client.post("/api/auth/login", json={"username": user.username, "password": "nope"})
    b = client.post("/api/auth/login", json={"username": "ghost-user", "password": "nope"})
    _assert_401(a)
    _assert_401(b)
    assert a.json["detail"] == b.json["detail"]


def test_missing_token_is_401(client):
    """No Authorization header answers 401."""
    _assert_401(client.get("/api/auth/me"))


def test_alg_none_token_is_401(factory, client):
    """An unsigned token (alg none) is refused."""
    user = factory.user(Role.ADMIN)
    claims = {
        "sub": str(user.id),
        "type": "access",
        "jti": "x",
        "tv": 1,
        "fresh": False,
        "exp": int((dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).timestamp()),
    }
    token = pyjwt.encode(claims, key=None, algorithm="none")
    _assert_401(_me(client, token))


def test_wrong_key_token_is_401(factory, client):
    """A token signed with another key is refused."""
    user = factory.user(Role.ADMIN)
    claims = {
        "sub": str(user.id),
        "type": "access",
        "jti": "y",
        "tv": 1,
        "fresh": False,
        "exp": int((dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).timestamp()),
    }
    _assert_401(
        _me(client, pyjwt.encode(claims, "another-key-of-sufficient-length-0123456789", "HS256"))
    )


def test_tampered_token_is_401(factory, client):
    """A token whose payload was edited (role raised) is refused."""
    user = factory.user(Role.COLLECTOR, factory.station())
    header, payload, sig = _login(client, user)["access_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    _assert_401(_me(client, f"{header}.{forged}.{sig}"))


def test_expired_token_is_401(factory, client, app):
    """An expired access token is refused."""
    user = factory.user(Role.ADMIN)
    with app.app_context():
        token = create_access_token(
            identity=str(user.id),
            additional_claims={"tv": 1},
            expires_delta=dt.timedelta(seconds=-5),
        )
    _assert_401(_me(client, token))


def test_logout_revokes_access_and_refresh(factory, client):
    """After logout neither the access token nor its refresh token works."""
    user = factory.user(Role.ADMIN)
    tokens = _login(client, user)
    out = client.post(
        "/api/auth/logout", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert out.status_code == 204
    _assert_401(_me(client, tokens["access_token"]))
    _assert_401(
        client.post(
            "/api/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
        )
    )


def test_refresh_rotates_and_reuse_revokes_the_family(factory, client, session, app):
    """A refresh token works once; its reuse past the reuse interval is refused and
    revokes the newer token too."""
    user = factory.user(Role.ADMIN)
    first = _login(client, user)
    refresh = lambda t: client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {t}"})  # noqa: E731
    second = refresh(first["refresh_token"])
    assert second.status_code == 200 and second.json["refresh_token"] != first["refresh_token"]
    assert _me(client, second.json["access_token"]).status_code == 200
    past_the_interval(session, app)
    _assert_401(refresh(first["refresh_token"]))  # reuse: stolen
    _assert_401(refresh(second.json["refresh_token"]))  # the family is revoked


def test_access_token_cannot_refresh(factory, client):
    """An access token presented to the refresh endpoint is refused."""
    user = factory.user(Role.ADMIN)
    tokens = _login(client, user)
    _assert_401(
        client.post(
            "/api/auth/refresh", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
    )


def test_role_change_revokes_existing_tokens(factory, client, session):
    """Bumping a user's token version (role or scope change) invalidates their tokens."""
    user = factory.user(Role.SUPERVISOR, factory.station())
    tokens = _login(client, user)
    user.token_version += 1
    session.flush()
    _assert_401(_me(client, tokens["access_token"]))
