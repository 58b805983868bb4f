"""Staff administration: an admin manages everyone, a supervisor the collectors of their own
station(s). Nobody grants a role above their own. Users are disabled, never deleted: a
disabled user's tokens stop working at once (the request's user is loaded with its
``active`` flag), and their accounts show as needing a new collector."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import Invalid, NotAllowed, NotFound
from core.models import Account, Role, Station, User, territory_collector
from core.scope import Scope, get_scoped, restrict
from core.users.passwords import Passwords
from core.users.staff import NewUser, create_user
from core.users.tokens import issue_token

__all__ = [
    "Assignments",
    "assignments",
    "create_staff",
    "list_staff",
    "reset_token",
    "update_staff",
]

RANK = {Role.COLLECTOR: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}


@dataclass(frozen=True)
class Assignments:
    """What a user is responsible for: accounts and territories."""

    accounts: int
    territories: int


def _stations(session: Session, scope: Scope, ids: Sequence[int]) -> list[Station]:
    wanted = set(ids)
    found = session.scalars(restrict(select(Station), Station, scope).where(Station.id.in_(wanted)))
    stations = list(found)
    missing = wanted - {s.id for s in stations}
    if missing:
        raise Invalid({"station_ids": [f"No such station: {sorted(missing)}."]})
    closed = [s.code for s in stations if s.closed_at is not None]
    if closed:
        raise Invalid({"station_ids": [f"Closed station: {closed}."]})
    return stations


def _may_grant(scope: Scope, role: Role) -> None:
    if RANK[role] > RANK[scope.role]:
        raise NotAllowed("Nobody grants a role above their own.")
    if not scope.is_admin and role is not Role.COLLECTOR:
        raise NotAllowed("Supervisors manage collectors only.")


def _managed(session: Session, scope: Scope, user_id: int) -> User:
    """A user the caller may manage: admins anyone, supervisors their station's collectors."""
    if scope.is_collector:
        raise NotAllowed("Only supervisors and admins manage staff.")
    user = get_scoped(session, User, user_id, scope)
    if user is None:
        raise NotFound("user")
    if not scope.is_admin and user.role is not Role.COLLECTOR:
        raise NotAllowed("Supervisors manage collectors only.")
    return user


def create_staff(
    session: Session, passwords: Passwords, scope: Scope, data: dict[str, Any], now: dt.datetime
) -> tuple[User, str]:
    """A new user with no usable password, and the one-time token to set one."""
    if scope.is_collector:
        raise NotAllowed("Only supervisors and admins create staff.")
    role = Role(data["role"])
    _may_grant(scope, role)
    if session.scalar(select(User.id).where(User.username == data["username"])) is not None:
        raise Invalid({"username": ["This username is already taken."]})
    stations = _stations(session, scope, data.get("station_ids", []))
    if role is Role.ADMIN and stations:
        raise Invalid({"station_ids": ["Admins belong to no station."]})
    if role is not Role.ADMIN and not stations:
        raise Invalid({"station_ids": ["Supervisors and collectors belong to a station."]})
    user = create_user(
        session,
        passwords,
        NewUser(
            username=data["username"],
            password=secrets.token_urlsafe(32),  # nobody knows it: the token sets the real one
            role=role,
            display_name=data["display_name"],
            station_codes=tuple(s.code for s in stations),
            phone=data.get("phone"),
            shift=(stations[0].shift_start, stations[0].shift_end)
            if stations
            else (dt.time(8, 0), dt.time(17, 30)),
        ),
    )
    if user.profile is not None and stations:
        user.profile.break_start = stations[0].break_start
        user.profile.break_minutes = stations[0].break_minutes
    session.flush()
    return user, issue_token(session, user, scope.user_id, now)


def update_staff(session: Session, scope: Scope, user_id: int, data: dict[str, Any]) -> User:
    """Rename, disable/enable, or (admins) change a user's role or stations."""
    user = _managed(session, scope, user_id)
    if "display_name" in data:
        user.display_name = data["display_name"]
    rights_changed = False
    if "role" in data and Role(data["role"]) is not user.role:
        _may_grant(scope, Role(data["role"]))
        if not scope.is_admin:
            raise NotAllowed("Only admins change roles.")
        user.role = Role(data["role"])
        rights_changed = True
    if "station_ids" in data:
        if not scope.is_admin:
            raise NotAllowed("Only admins move staff between stations.")
        user.stations = _stations(session, scope, data["station_ids"])
        rights_changed = True
    if (user.role is Role.ADMIN) == bool(user.stations):
        raise Invalid({"station_ids": ["Admins belong to no station; others to at least one."]})
    if "active" in data and data["active"] != user.active:
        if user.id == scope.user_id:
            raise Invalid({"active": ["You cannot disable yourself."]})
        user.active = data["active"]
        rights_changed = True
    if rights_changed:
        user.token_version += 1
    session.flush()
    return user


def reset_token(session: Session, scope: Scope, user_id: int, now: dt.datetime) -> str:
    """A one-time token for the user to set a new password (handed over in person)."""
    user = _managed(session, scope, user_id)
    if not user.active:
        raise Invalid({"active": ["The user is disabled: enable them first."]})
    return issue_token(session, user, scope.user_id, now)


def list_staff(session: Session, scope: Scope, station_id: int | None = None) -> Sequence[User]:
    stmt = restrict(select(User), User, scope).order_by(User.id)
    if station_id is not None:
        stmt = stmt.where(User.stations.any(Station.id == station_id))
    return session.scalars(stmt).all()


def assignments(session: Session, user_ids: Sequence[int]) -> dict[int, Assignments]:
    """Accounts and territories each user is responsible for."""
    accounts: dict[int, int] = {}
    for uid, n in session.execute(
        select(Account.responsible_id, func.count())
        .where(Account.responsible_id.in_(user_ids))
        .group_by(Account.responsible_id)
    ):
        accounts[int(uid or 0)] = int(n)
    territories: dict[int, int] = {}
    for uid, n in session.execute(
        select(territory_collector.c.user_id, func.count())
        .where(territory_collector.c.user_id.in_(user_ids))
        .group_by(territory_collector.c.user_id)
    ):
        territories[int(uid)] = int(n)
    return {u: Assignments(accounts.get(u, 0), territories.get(u, 0)) for u in user_ids}
