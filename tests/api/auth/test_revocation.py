"""Revocation at once (issue 16, item 7): logout, a refresh token's reuse, a disabled user,
a role or password change make the affected access tokens fail on their next request;
tokens carry and are checked for ``iss`` and ``aud``; one query per request checks it all."""

from __future__ import annotations

import datetime as dt
import uuid

import jwt as pyjwt
from sqlalchemy import event, text

from core.models import Role
from tests.support.auth_calls import login as _login
from tests.support.auth_calls import me as _me
from tests.support.auth_calls import refresh as _refresh
from tests.support.refresh import past_the_interval


def test_refresh_reuse_kills_the_access_tokens_of_the_login(factory, client, session, app):
    """A refresh token reused past the reuse interval revokes its login: its access
    tokens fail on their next request."""
    user = factory.user(Role.SUPERVISOR, factory.station())
    first = _login(client, user)
    second = _refresh(client, first["refresh_token"]).json
    assert _me(client, second["access_token"]).status_code == 200
    past_the_interval(session, app)
    assert _refresh(client, first["refresh_token"]).status_code == 401  # the thief's reuse
    assert _me(client, second["access_token"]).status_code == 401
    assert _me(client, first["access_token"]).status_code == 401


def test_logout_kills_every_access_token_of_the_login(factory, client):
    """Logout with the newest access token also kills the older one of the same login."""
    user = factory.user(Role.ADMIN)
    first = _login(client, user)
    second = _refresh(client, first["refresh_token"]).json
    out = client.post(
        "/api/auth/logout", headers={"Authorization": f"Bearer {second['access_token']}"}
    )
    assert out.status_code == 204
    assert _me(client, first["access_token"]).status_code == 401
    other = _login(client, user)  # another login of the same user is untouched
    assert _me(client, other["access_token"]).status_code == 200


def test_role_change_in_sql_revokes_at_once(factory, client, session):
    """A role changed by any path (plain SQL here) makes the user's tokens fail."""
    user = factory.user(Role.SUPERVISOR, factory.station())
    tokens = _login(client, user)
    session.execute(text("UPDATE app_user SET role = 'collector' WHERE id = :i"), {"i": user.id})
    assert _me(client, tokens["access_token"]).status_code == 401
    assert _refresh(client, tokens["refresh_token"]).status_code == 401


def test_disabled_user_and_password_change_revoke_at_once(factory, client, session):
    """Disabling a user or resetting a password makes the old tokens fail."""
    a = factory.user(Role.ADMIN)
    b = factory.user(Role.ADMIN)
    ta, tb = _login(client, a), _login(client, b)
    session.execute(text("UPDATE app_user SET active = false WHERE id = :i"), {"i": a.id})
    session.execute(text("UPDATE app_user SET password_hash = 'x' WHERE id = :i"), {"i": b.id})
    assert _me(client, ta["access_token"]).status_code == 401
    assert _me(client, tb["access_token"]).status_code == 401


def test_orm_role_change_keeps_the_model_in_step(factory, session):
    """The ORM reads back the version the database bumped (no stale token_version)."""
    user = factory.user(Role.SUPERVISOR, factory.station())
    before = user.token_version
    user.role = Role.COLLECTOR
    session.flush()
    assert user.token_version == before + 1


def _claims(user, **over):
    now = dt.datetime.now(dt.UTC)
    claims = {
        "sub": str(user.id),
        "type": "access",
        "jti": uuid.uuid4().hex,
        "tv": user.token_version,
        "fresh": False,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + dt.timedelta(minutes=5)).timestamp()),
        "iss": "arrears-recovery",
        "aud": "arrears-recovery-api",
    }
    claims.update(over)
    return {k: v for k, v in claims.items() if v is not None}


def test_issuer_and_audience_are_checked(factory, client, app):
    """A token signed with the right key but without, or with another, iss or aud is 401."""
    user = factory.user(Role.ADMIN)
    key = app.config["JWT_SECRET_KEY"]
    good = pyjwt.encode(_claims(user), key, "HS256")
    assert _me(client, good).status_code == 200
    for over in ({"iss": None}, {"aud": None}, {"iss": "elsewhere"}, {"aud": "other-api"}):
        resp = _me(client, pyjwt.encode(_claims(user, **over), key, "HS256"))
        assert resp.status_code == 401, over


def test_revocation_is_one_query_per_request(factory, client, app, connection):
    """The user, its version, the token's and its login's revocation: one statement."""
    user = factory.user(Role.ADMIN)
    token = _login(client, user)["access_token"]
    seen: list[str] = []

    def _count(_conn, _cursor, statement, *_args):
        if any(t in statement for t in ("app_user", "revoked_access_token", "refresh_token")):
            seen.append(statement)

    event.listen(connection, "before_cursor_execute", _count)
    try:
        assert _me(client, token).status_code == 200
    finally:
        event.remove(connection, "before_cursor_execute", _count)
    auth_queries = [s for s in seen if "revoked_access_token" in s or "refresh_token" in s]
    assert len(auth_queries) == 1, seen
    assert len([s for s in seen if "FROM app_user" in s]) <= 2, seen  # + the /me stations
