"""Staff: who creates whom, one-time password tokens, the password policy, the forced change,
disabling (tokens stop at once, accounts show as needing a new collector)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models import Role, User

NEW_PASSWORD = "石门-collector-2026"


@pytest.fixture
def org(factory, client):
    st, other = factory.station(), factory.station()
    admin = factory.user(Role.ADMIN)
    sup = factory.user(Role.SUPERVISOR, st)
    sup_o = factory.user(Role.SUPERVISOR, other)
    return {
        "st": st,
        "other": other,
        "sup_user": sup,
        "admin": factory.token(admin, client),
        "sup": factory.token(sup, client),
        "sup_o": factory.token(sup_o, client),
    }


def _new(client, headers, **kw):
    body = {"username": "lisi", "display_name": "李四", "role": "collector"}
    body.update(kw)
    return client.post("/api/users", json=body, headers=headers)


def _login(client, username, password):
    return client.post("/api/auth/login", json={"username": username, "password": password})


def test_supervisor_creates_a_collector_who_sets_a_password_with_the_token(org, client):
    """The supervisor's new collector gets a one-time token; it sets the password once,
    then the collector logs in; the token does not work twice."""
    resp = _new(client, org["sup"], station_ids=[org["st"].id])
    assert resp.status_code == 201, resp.json
    token = resp.json["password_token"]
    assert resp.json["role"] == "collector" and resp.json["stations"][0]["id"] == org["st"].id
    reset = {"token": token, "new_password": NEW_PASSWORD}
    assert client.post("/api/auth/password/reset", json=reset).status_code == 204
    assert _login(client, "lisi", NEW_PASSWORD).status_code == 200
    again = client.post(
        "/api/auth/password/reset", json={**reset, "new_password": "x" * 12 + "yz!"}
    )
    assert again.status_code == 422 and "token" in again.json["errors"]["json"]


@pytest.mark.parametrize(
    ("password", "why"),
    [("short1!", "At least"), ("password123", "common"), ("lisi-is-great", "username")],
)
def test_password_policy(org, client, password, why):
    """Too short, common, or containing the username: 422 on new_password; token unspent."""
    token = _new(client, org["sup"], station_ids=[org["st"].id]).json["password_token"]
    resp = client.post("/api/auth/password/reset", json={"token": token, "new_password": password})
    assert resp.status_code == 422 and why in str(resp.json["errors"]["json"]["new_password"])
    ok = client.post(
        "/api/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert ok.status_code == 204


def test_nobody_grants_above_their_role(org, client):
    """A supervisor creates neither supervisors nor admins, nor staff of another station."""
    assert (
        _new(client, org["sup"], role="supervisor", station_ids=[org["st"].id]).status_code == 403
    )
    assert _new(client, org["sup"], role="admin").status_code == 403
    other = _new(client, org["sup"], station_ids=[org["other"].id])
    assert other.status_code == 422 and "station_ids" in other.json["errors"]["json"]
    assert (
        _new(client, org["admin"], role="supervisor", station_ids=[org["st"].id]).status_code == 201
    )


def test_duplicate_username_and_unknown_station_change_nothing(org, client, session):
    """A taken username or an unknown station: 422 with the field, no user added."""
    before = session.scalar(select(func.count()).select_from(User))
    dup = _new(client, org["admin"], username=org["sup_user"].username, station_ids=[org["st"].id])
    assert dup.status_code == 422 and "username" in dup.json["errors"]["json"]
    unknown = _new(client, org["admin"], station_ids=[999999])
    assert unknown.status_code == 422 and "station_ids" in unknown.json["errors"]["json"]
    assert session.scalar(select(func.count()).select_from(User)) == before


def test_disabling_stops_tokens_at_once_and_flags_the_accounts(org, factory, client):
    """A disabled collector's token answers 401 on the next request; their accounts show
    as needing a new collector; another station's supervisor cannot even see them."""
    col = factory.user(Role.COLLECTOR, org["st"])
    factory.account(org["st"], responsible=col)
    col_headers = factory.token(col, client)
    assert client.get("/api/accounts", headers=col_headers).status_code == 200
    assert (
        client.patch(
            f"/api/users/{col.id}", json={"active": False}, headers=org["sup_o"]
        ).status_code
        == 404
    )
    resp = client.patch(f"/api/users/{col.id}", json={"active": False}, headers=org["sup"])
    assert resp.status_code == 200, resp.json
    assert resp.json["needs_new_collector"] is True and resp.json["assignments"]["accounts"] == 1
    assert client.get("/api/accounts", headers=col_headers).status_code == 401
    assert _login(client, col.username, "secret-pass-1").status_code == 401


def test_supervisor_cannot_touch_another_supervisor_or_change_roles(org, factory, client):
    """Supervisors manage collectors only: not a fellow supervisor, not a role."""
    peer = factory.user(Role.SUPERVISOR, org["st"])
    col = factory.user(Role.COLLECTOR, org["st"])
    assert (
        client.patch(
            f"/api/users/{peer.id}", json={"active": False}, headers=org["sup"]
        ).status_code
        == 403
    )
    assert (
        client.patch(
            f"/api/users/{col.id}", json={"role": "supervisor"}, headers=org["sup"]
        ).status_code
        == 403
    )


def test_reset_token_for_a_locked_out_collector(org, factory, client):
    """A new token from the supervisor replaces the old password once used."""
    col = factory.user(Role.COLLECTOR, org["st"])
    resp = client.post(f"/api/users/{col.id}/password-token", headers=org["sup"])
    assert resp.status_code == 201
    client.post(
        "/api/auth/password/reset",
        json={"token": resp.json["password_token"], "new_password": NEW_PASSWORD},
    )
    assert _login(client, col.username, "secret-pass-1").status_code == 401
    assert _login(client, col.username, NEW_PASSWORD).status_code == 200


def test_forced_change_on_first_login(app, factory, client):
    """A user created with a temporary password gets 403 everywhere until they change it."""
    st = factory.station()
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--username",
            "zhaoliu",
            "--password",
            "temporary-pass-1",
            "--role",
            "supervisor",
            "--station",
            st.code,
            "--temporary",
        ]
    )
    assert result.exit_code == 0, result.output
    token = _login(client, "zhaoliu", "temporary-pass-1").json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    blocked = client.get("/api/accounts", headers=headers)
    assert blocked.status_code == 403 and blocked.json["type"].endswith("password-change-required")
    assert client.get("/api/auth/me", headers=headers).json["must_change_password"] is True
    wrong = client.post(
        "/api/auth/password",
        json={"current_password": "nope-nope-1", "new_password": NEW_PASSWORD},
        headers=headers,
    )
    assert wrong.status_code == 422
    ok = client.post(
        "/api/auth/password",
        json={"current_password": "temporary-pass-1", "new_password": NEW_PASSWORD},
        headers=headers,
    )
    assert ok.status_code == 204
    fresh = _login(client, "zhaoliu", NEW_PASSWORD).json["access_token"]
    assert (
        client.get("/api/accounts", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    )


def test_cli_password_policy(app):
    """`flask users create` refuses a password the policy does not accept."""
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--username",
            "weak",
            "--password",
            "password123",
            "--role",
            "admin",
        ]
    )
    assert result.exit_code != 0 and "common" in result.output
