"""Responsibility history: who is responsible for which account, day by day.

Set-based and idempotent: reassigning accounts to the collector already
responsible for them changes nothing; otherwise the open history row is closed
at the change date and a new one opened. No Flask here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, any_, bindparam, delete, insert, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Integer

from core.errors import Conflict, Invalid
from core.models import Account, AccountResponsibility, Role, User, user_station

__all__ = ["ReassignResult", "check_collector", "reassign", "responsible_on"]


@dataclass(frozen=True)
class ReassignResult:
    """How many accounts changed hands and how many already belonged to the collector."""

    changed: int
    unchanged: int


def ids_param(ids: Sequence[int], name: str = "ids") -> ColumnElement[bool]:
    """``Account.id = ANY(:ids)``: one array parameter, whatever the number of ids."""
    return Account.id == any_(bindparam(name, list(ids), type_=ARRAY(Integer)))


def check_collector(session: Session, collector_id: int, station_id: int, field: str) -> User:
    """The active collector ``collector_id`` of ``station_id``, else a field error."""
    user = session.scalars(
        select(User).where(
            User.id == collector_id,
            User.role == Role.COLLECTOR,
            User.active.is_(True),
            User.id.in_(
                select(user_station.c.user_id).where(user_station.c.station_id == station_id)
            ),
        )
    ).one_or_none()
    if user is None:
        raise Invalid({field: ["No such active collector in this station."]})
    return user


def reassign(
    session: Session,
    account_ids: Sequence[int],
    collector_id: int,
    on: dt.date,
    assigned_by: int | None,
) -> ReassignResult:
    """Make ``collector_id`` responsible for ``account_ids`` from local date ``on``."""
    if not account_ids:
        return ReassignResult(0, 0)
    rows = session.execute(
        select(Account.id, Account.responsible_id)
        .where(ids_param(account_ids))
        .order_by(Account.id)
        .with_for_update()
    ).all()
    targets = [r.id for r in rows if r.responsible_id != collector_id]
    unchanged = len(rows) - len(targets)
    if not targets:
        return ReassignResult(0, unchanged)
    target_clause = AccountResponsibility.account_id == any_(
        bindparam("targets", targets, type_=ARRAY(Integer))
    )
    open_row = AccountResponsibility.valid_to.is_(None)
    later = session.scalars(
        select(AccountResponsibility.account_id)
        .where(
            target_clause,
            or_(
                and_(open_row, AccountResponsibility.valid_from > on),
                AccountResponsibility.valid_to > on,
            ),
        )
        .limit(20)
    ).all()
    if later:
        raise Conflict(
            f"Accounts {sorted(set(later))} have responsibility recorded after {on}; "
            "a change cannot be back-dated before it."
        )
    # A change on the day the open row started replaces that row (no zero-length history).
    session.execute(
        delete(AccountResponsibility).where(
            target_clause, open_row, AccountResponsibility.valid_from == on
        )
    )
    session.execute(
        update(AccountResponsibility)
        .where(target_clause, open_row, AccountResponsibility.valid_from < on)
        .values(valid_to=on)
    )
    session.execute(
        insert(AccountResponsibility),
        [
            {
                "account_id": account_id,
                "collector_id": collector_id,
                "valid_from": on,
                "valid_to": None,
                "assigned_by": assigned_by,
            }
            for account_id in targets
        ],
    )
    session.execute(
        update(Account)
        .where(Account.id == any_(bindparam("targets", targets, type_=ARRAY(Integer))))
        .values(responsible_id=collector_id)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return ReassignResult(len(targets), unchanged)


def responsible_on(session: Session, account_id: int, day: dt.date) -> AccountResponsibility | None:
    """The history row covering local date ``day`` for ``account_id``, if any."""
    return session.scalars(
        select(AccountResponsibility).where(
            AccountResponsibility.account_id == account_id,
            AccountResponsibility.valid_from <= day,
            or_(AccountResponsibility.valid_to.is_(None), AccountResponsibility.valid_to > day),
        )
    ).one_or_none()


def history(session: Session, account_id: int) -> list[AccountResponsibility]:
    """Every history row of ``account_id``, oldest first."""
    return list(
        session.scalars(
            select(AccountResponsibility)
            .where(AccountResponsibility.account_id == account_id)
            .order_by(AccountResponsibility.valid_from)
        )
    )
