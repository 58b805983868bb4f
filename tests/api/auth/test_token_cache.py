"""The access-token check from Redis (api/auth/token_cache.py): a warm token is checked
without SQL, and every change to what the check reads answers 401 on the very next
request all the same: a logout, a revoked login, a password change, a token-version
bump, a role change, deactivation, a change of stations, a plain-SQL write. With Redis
down the check is the database's and still refuses a revoked token."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from api import create_app
from api.config import TestConfig
from core.models import Role
from tests.conftest import TEST_DATABASE_URL
from tests.factories import PASSWORD
from tests.support.auth_calls import login, me, refresh
from tests.support.refresh import past_the_interval
from tests.support.scans import captured

NEW_PASSWORD = "a quite new passphrase 7"


def _warm(client: Any, token: str, connection: Any) -> None:
    """The token answers 200 and its next check runs no statement of the check's."""
    assert me(client, token).status_code == 200
    with captured(connection) as statements:
        assert me(client, token).status_code == 200
    checks = [s for s, _ in statements if "revoked_access_token" in s]
    assert checks == [], "the check was not cached"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def staff(factory: Any, client: Any) -> Any:
    """An admin's token and a supervisor of one station with a login of their own."""
    station, other = factory.station(), factory.station()
    admin = factory.user(Role.ADMIN)
    sup = factory.user(Role.SUPERVISOR, station)
    factory.session.commit()
    return {
        "admin": login(client, admin)["access_token"],
        "sup": sup,
        "tokens": login(client, sup),
        "other_station": other,
    }


def test_a_warm_check_runs_no_sql(client: Any, staff: Any, connection: Any) -> None:
    _warm(client, staff["tokens"]["access_token"], connection)


def test_logout_revokes_the_login_at_once(client: Any, staff: Any, connection: Any) -> None:
    """Logout with one access token: it and every other access token of the login fail."""
    first = staff["tokens"]
    second = refresh(client, first["refresh_token"]).json
    for token in (first["access_token"], second["access_token"]):
        _warm(client, token, connection)
    out = client.post("/api/auth/logout", headers=_bearer(second["access_token"]))
    assert out.status_code == 204
    assert me(client, second["access_token"]).status_code == 401
    assert me(client, first["access_token"]).status_code == 401


def test_a_revoked_login_fails_at_once(
    client: Any, staff: Any, connection: Any, session: Any, app: Any
) -> None:
    """A refresh token reused past the interval revokes its login's warm access tokens."""
    first = staff["tokens"]
    second = refresh(client, first["refresh_token"]).json
    _warm(client, second["access_token"], connection)
    past_the_interval(session, app)
    session.commit()
    assert refresh(client, first["refresh_token"]).status_code == 401  # the reuse
    assert me(client, second["access_token"]).status_code == 401


def test_a_password_change_fails_the_old_tokens_at_once(
    client: Any, staff: Any, connection: Any
) -> None:
    token = staff["tokens"]["access_token"]
    other = login(client, staff["sup"])["access_token"]  # another device
    _warm(client, other, connection)
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert client.post("/api/auth/password", json=body, headers=_bearer(token)).status_code == 204
    assert me(client, other).status_code == 401


def test_a_token_version_bump_fails_the_tokens_at_once(
    client: Any, staff: Any, connection: Any, session: Any
) -> None:
    token = staff["tokens"]["access_token"]
    _warm(client, token, connection)
    staff["sup"].token_version += 1
    session.commit()
    assert me(client, token).status_code == 401


@pytest.mark.parametrize(
    "change",
    [{"role": "collector"}, {"active": False}, {"station_ids": "other"}],
    ids=["role", "deactivation", "stations"],
)
def test_an_admin_change_fails_the_tokens_at_once(
    change: dict[str, Any], client: Any, staff: Any, connection: Any
) -> None:
    token = staff["tokens"]["access_token"]
    _warm(client, token, connection)
    if change.get("station_ids") == "other":
        change = {"station_ids": [staff["other_station"].id]}
    resp = client.patch(
        f"/api/users/{staff['sup'].id}", json=change, headers=_bearer(staff["admin"])
    )
    assert resp.status_code == 200, resp.json
    assert me(client, token).status_code == 401


def test_a_plain_sql_change_fails_the_tokens_at_once(
    client: Any, staff: Any, connection: Any, session: Any
) -> None:
    """Any statement through the app's sessions that writes the check's tables counts."""
    token = staff["tokens"]["access_token"]
    _warm(client, token, connection)
    off = text("UPDATE app_user SET active = false WHERE id = :i")
    session.execute(off, {"i": staff["sup"].id})
    session.commit()
    assert me(client, token).status_code == 401


def test_a_flushed_cache_is_checked_in_the_database(
    client: Any, staff: Any, connection: Any, app: Any
) -> None:
    """Counters gone (a flushed Redis): the entry is not trusted, the database answers."""
    token = staff["tokens"]["access_token"]
    _warm(client, token, connection)
    cache = app.extensions["token_cache"]
    for key in cache.redis.scan_iter(f"{cache.prefix}:v:*"):
        cache.redis.delete(key)
    with captured(connection) as statements:
        assert me(client, token).status_code == 200
    assert [s for s, _ in statements if "revoked_access_token" in s]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def down_app(engine: Any, connection: Any) -> Iterator[Any]:
    """An app whose Redis refuses connections (a real refused port, the shared one untouched)."""
    down = create_app(
        TestConfig,
        DATABASE_URL=TEST_DATABASE_URL,
        REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0",
    )
    down.extensions["db_sessionmaker"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield down
    down.extensions["db_engine"].dispose()


def test_redis_down_checks_in_the_database_and_refuses_a_revoked_token(
    down_app: Any, client: Any, staff: Any, connection: Any
) -> None:
    token = staff["tokens"]["access_token"]
    _warm(client, token, connection)  # warm in the healthy app's Redis
    down = down_app.test_client()
    with captured(connection) as statements:
        assert me(down, token).status_code == 200
    assert [s for s, _ in statements if "revoked_access_token" in s]
    assert client.post("/api/auth/logout", headers=_bearer(token)).status_code == 204
    assert me(down, token).status_code == 401
    assert me(client, token).status_code == 401
