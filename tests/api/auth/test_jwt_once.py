"""A token is verified in full once per process (api/auth/jwt.py): its next requests get
its claims from memory, until its ``exp``; another string (a forged signature) is
verified on its own; the revocation check still runs on every request."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt as pyjwt

from core.models import Role
from tests.support.auth_calls import login, me


def _verifications(monkeypatch: Any) -> list[bool]:
    """Each PyJWT decode from now on: True when it checked the signature."""
    seen: list[bool] = []
    original = pyjwt.decode

    def counted(*args: Any, **kwargs: Any) -> Any:
        seen.append((kwargs.get("options") or {}).get("verify_signature", True))
        return original(*args, **kwargs)

    monkeypatch.setattr(pyjwt, "decode", counted)
    return seen


def _fresh(client: Any, app: Any, user: Any, seconds: int = 300) -> str:
    """A token this process never saw: a login's claims with a new jti and ``exp``."""
    claims = pyjwt.decode(login(client, user)["access_token"], options={"verify_signature": False})
    claims |= {"jti": uuid.uuid4().hex, "exp": int(time.time()) + seconds}
    return pyjwt.encode(claims, app.config["JWT_SECRET_KEY"], "HS256")


def test_a_token_is_verified_once_then_remembered(
    factory: Any, client: Any, app: Any, monkeypatch: Any
) -> None:
    token = _fresh(client, app, factory.user(Role.ADMIN))
    seen = _verifications(monkeypatch)
    assert me(client, token).status_code == 200
    assert seen.count(True) == 1
    seen.clear()
    assert me(client, token).status_code == 200
    assert seen == []


def test_a_forged_signature_is_refused_after_the_genuine_token(
    factory: Any, client: Any, app: Any
) -> None:
    token = login(client, factory.user(Role.ADMIN))["access_token"]
    assert me(client, token).status_code == 200
    head, body, _sig = token.split(".")
    forged = pyjwt.encode(pyjwt.decode(token, options={"verify_signature": False}), "x" * 48)
    assert me(client, f"{head}.{body}.{forged.split('.')[2]}").status_code == 401


def test_a_remembered_token_expires_on_time(factory: Any, client: Any, app: Any) -> None:
    token = _fresh(client, app, factory.user(Role.ADMIN), seconds=2)
    exp = pyjwt.decode(token, options={"verify_signature": False})["exp"]
    assert me(client, token).status_code == 200
    time.sleep(max(0.0, exp - time.time()) + 0.1)
    resp = me(client, token)
    assert resp.status_code == 401 and "expired" in resp.json["detail"]


def test_a_remembered_token_is_still_checked_for_revocation(factory: Any, client: Any) -> None:
    token = login(client, factory.user(Role.ADMIN))["access_token"]
    assert me(client, token).status_code == 200
    out = client.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert out.status_code == 204
    assert me(client, token).status_code == 401
