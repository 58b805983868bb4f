"""The auth API's calls as the token tests make them: log in, trade a refresh token, ask
who the access token names."""

from __future__ import annotations

from typing import Any

from tests.factories import PASSWORD


def login(client: Any, user: Any, **extra: Any) -> dict[str, Any]:
    """``user`` logs in with the factories' password; the tokens answered."""
    resp = client.post(
        "/api/auth/login", json={"username": user.username, "password": PASSWORD, **extra}
    )
    assert resp.status_code == 200, resp.json
    return dict(resp.json)


def refresh(client: Any, token: str) -> Any:
    return client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {token}"})


def me(client: Any, token: str) -> Any:
    return client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
