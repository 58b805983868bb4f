"""Login, refresh rotation with reuse detection, logout. No Flask imports here
except the token encoder from flask-jwt-extended, called inside the app context."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, joinedload

from api.errors import Problem
from core.models import RefreshToken, RevokedAccessToken, User
from core.users.passwords import Passwords


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def _unauthorized(detail: str) -> Problem:
    return Problem(401, detail, headers={"WWW-Authenticate": "Bearer"})


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def authenticate(session: Session, passwords: Passwords, username: str, password: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        passwords.dummy_verify()
        raise _unauthorized("Wrong username or password.")
    if not passwords.verify(user.password_hash, password) or not user.active:
        raise _unauthorized("Wrong username or password.")
    return user


def issue_tokens(
    session: Session, user: User, *, family: str | None = None, device_id: str | None = None
) -> TokenPair:
    """A new access token and a new refresh token in ``family`` (a new family at login)."""
    family = family or uuid.uuid4().hex
    claims = {"role": user.role.value, "tv": user.token_version, "fam": family}
    access = create_access_token(identity=str(user.id), additional_claims=claims)
    refresh = create_refresh_token(identity=str(user.id), additional_claims=claims)
    decoded = decode_token(refresh)
    session.add(
        RefreshToken(
            jti=decoded["jti"],
            family=family,
            user_id=user.id,
            device_id=device_id,
            expires_at=dt.datetime.fromtimestamp(decoded["exp"], dt.UTC),
        )
    )
    access_exp = decode_token(access)["exp"]
    return TokenPair(access, refresh, int(access_exp - _now().timestamp()))


def rotate_refresh(session: Session, user: User, jti: str) -> TokenPair:
    """Spend a refresh token once. A second use means it was stolen: revoke the family."""
    token = session.get(RefreshToken, jti, with_for_update=True)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise _unauthorized("The refresh token is not valid.")
    if token.used_at is not None:
        revoke_family(session, token.family)
        session.commit()  # the revocation must stick even though this request fails
        raise _unauthorized("The refresh token was already used; every session from it is revoked.")
    token.used_at = _now()
    return issue_tokens(session, user, family=token.family, device_id=token.device_id)


def revoke_family(session: Session, family: str) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=_now())
    )


def logout(session: Session, jti: str, expires_at: int, family: str | None) -> None:
    if session.get(RevokedAccessToken, jti) is None:
        session.add(
            RevokedAccessToken(jti=jti, expires_at=dt.datetime.fromtimestamp(expires_at, dt.UTC))
        )
    if family:
        revoke_family(session, family)


def check_token(session: Session, payload: dict[str, Any]) -> User | None:
    """The token's user when the token still holds, else None, in one query: the user
    exists, is active and has the token's version (a role, password or active change
    bumps it, migration 0012), the access token was not logged out, and its login (its
    refresh family) was not revoked by a logout or a refresh token's reuse."""
    try:
        user_id = int(payload["sub"])
    except (KeyError, TypeError, ValueError):
        return None
    jti, family = payload.get("jti"), payload.get("fam")
    if payload.get("type", "access") == "refresh":
        token_revoked = ~exists().where(
            RefreshToken.jti == jti,
            RefreshToken.user_id == User.id,
            RefreshToken.revoked_at.is_(None),
        )
    else:
        token_revoked = exists().where(RevokedAccessToken.jti == jti)
    family_revoked = exists().where(
        RefreshToken.family == (family or ""), RefreshToken.revoked_at.is_not(None)
    )
    row = (
        session.execute(
            select(User, token_revoked, family_revoked)
            .options(joinedload(User.stations))  # the scope's stations, in the same query
            .where(User.id == user_id)
        )
        .unique()
        .one_or_none()
    )
    if row is None:
        return None
    user, revoked, family_gone = row
    if revoked or family_gone or not user.active or user.token_version != payload.get("tv"):
        return None
    return user
