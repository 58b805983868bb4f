"""Login, refresh rotation with reuse detection, logout. No Flask imports here
except the token encoder from flask-jwt-extended, called inside the app context."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from sqlalchemy import Connection, Integer, Select, String, bindparam, exists, func, select, update
from sqlalchemy.orm import Session

from api.errors import Problem
from core.models import RefreshToken, RevokedAccessToken, Role, User, user_station
from core.users.passwords import Passwords

log = logging.getLogger(__name__)


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


def rotate_refresh(
    session: Session, user: User, jti: str, *, reuse_interval: dt.timedelta
) -> TokenPair:
    """Spend a refresh token once. A second use means it was stolen: revoke the family,
    unless it comes within ``reuse_interval`` of the first (a reuse interval, as Auth0's
    and Okta's rotation have): the answer to the first use was lost on a weak link, or two
    pages of one phone traded the same cookie at once. That second use gets a fresh pair in
    the same family rather than the first answer again: only a token's jti is stored, never
    the token itself (re-sending it would mean keeping bearer secrets in the database), and
    a fresh pair in the family is as revocable as the first (logout, reuse after the
    interval, a role change). The first successor stays valid: another page may hold it, and
    one lost on the way is never presented and expires."""
    token = session.get(RefreshToken, jti, with_for_update=True)  # one trade of it at a time
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise _unauthorized("The refresh token is not valid.")
    now = _now()
    if token.used_at is None:
        token.used_at = now
    elif now - token.used_at > reuse_interval:
        log.warning(
            "refresh token %s reused %s after its trade: login %s revoked",
            jti[:8],
            now - token.used_at,
            token.family[:8],
        )
        revoke_family(session, token.family)
        session.commit()  # the revocation must stick even though this request fails
        raise _unauthorized("The refresh token was already used; every session from it is revoked.")
    else:
        log.warning(
            "refresh token %s traded again %s after its trade, within the reuse "
            "interval: a new pair of login %s",
            jti[:8],
            now - token.used_at,
            token.family[:8],
        )
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


@dataclass(frozen=True)
class TokenUser:
    """What a request needs of the token's user: who, which role, which stations.

    Read by :func:`check_token` without the ORM; the few views that change or show the
    user load its row (:func:`api.auth.jwt.current_user_record`)."""

    id: int
    role: Role
    must_change_password: bool
    station_ids: frozenset[int]


def _check_statement(refresh: bool) -> Select[Any]:
    """The token check's statement, built once per token type (parameters: ``user_id``,
    ``jti``, ``family``): building it per request cost more than running it."""
    jti, family = bindparam("jti", type_=String), bindparam("family", type_=String)
    if refresh:
        token_revoked = ~exists().where(
            RefreshToken.jti == jti,
            RefreshToken.user_id == User.id,
            RefreshToken.revoked_at.is_(None),
        )
    else:
        token_revoked = exists().where(RevokedAccessToken.jti == jti)
    family_revoked = exists().where(
        RefreshToken.family == family, RefreshToken.revoked_at.is_not(None)
    )
    stations = (
        select(func.array_agg(user_station.c.station_id))
        .where(user_station.c.user_id == User.id)
        .scalar_subquery()
    )
    return select(
        User.role,
        User.active,
        User.token_version,
        User.must_change_password,
        stations,
        token_revoked,
        family_revoked,
    ).where(User.id == bindparam("user_id", type_=Integer))


_CHECKS = {False: _check_statement(False), True: _check_statement(True)}


def token_user_id(payload: dict[str, Any]) -> int | None:
    """The token's user id (its ``sub``), None when it names no possible user."""
    try:
        user_id = int(payload["sub"])
    except (KeyError, TypeError, ValueError):
        return None
    return user_id if -(2**31) <= user_id < 2**31 else None


def check_token(bind: Connection, payload: dict[str, Any]) -> TokenUser | None:
    """The token's user when the token still holds, else None, in one statement: the
    user exists, is active and has the token's version (a role, password or active
    change bumps it, migration 0012), the access token was not logged out, its login
    (its refresh family) was not revoked by a logout or a refresh token's reuse; and the
    user's stations, for the scope."""
    user_id = token_user_id(payload)
    if user_id is None:
        return None
    row = bind.execute(
        _CHECKS[payload.get("type", "access") == "refresh"],
        {"user_id": user_id, "jti": str(payload.get("jti")), "family": payload.get("fam") or ""},
    ).one_or_none()
    if row is None:
        return None
    role, active, version, must_change, station_ids, revoked, family_gone = row
    if revoked or family_gone or not active or version != payload.get("tv"):
        return None
    return TokenUser(user_id, role, must_change, frozenset(station_ids or ()))
