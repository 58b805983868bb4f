"""Proposed locations: the first GPS fix a visit records at an approximate account (one
placed at its village's point) proposes where the house really is. A supervisor accepts
it (the account moves there, exact; the old point stays in ``location_decision``) or
rejects it (the next visit's fix is proposed instead). No Flask.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from geoalchemy2 import Geography
from sqlalchemy import cast, func, select
from sqlalchemy.orm import Session

from core.accounts.customers import territory_covering
from core.errors import Conflict, NotFound
from core.models import (
    Account,
    LocationDecision,
    LocationDecisionKind,
    LocationQuality,
    Visit,
)
from core.scope import Scope, get_scoped, require_staff, restrict

__all__ = ["MAX_ACCURACY_M", "Proposal", "decide", "history", "pending"]

#: A fix less precise than this (metres, as the phone reported it) proposes nothing.
MAX_ACCURACY_M = 100.0


@dataclass(frozen=True)
class Proposal:
    visit_id: uuid.UUID
    account_id: int
    account_number: str
    village: str
    collector_id: int
    visited_at: dt.datetime
    current: tuple[float, float]
    proposed: tuple[float, float]
    accuracy_m: float | None
    distance_m: float


def _candidates(scope: Scope, account_id: int | None = None):  # type: ignore[no-untyped-def]
    """Per approximate account in scope: its earliest undecided visit with a usable fix."""
    decided = select(LocationDecision.visit_id)
    ranked = (
        select(
            Visit.id.label("visit_id"),
            Visit.account_id,
            Visit.collector_id,
            Visit.device_time,
            Visit.fix,
            Visit.fix_accuracy_m,
            func.row_number()
            .over(partition_by=Visit.account_id, order_by=(Visit.device_time, Visit.id))
            .label("n"),
        )
        .join(Account, Account.id == Visit.account_id)
        .where(
            Account.location_quality == LocationQuality.APPROXIMATE,
            Visit.fix.is_not(None),
            (Visit.fix_accuracy_m.is_(None)) | (Visit.fix_accuracy_m <= MAX_ACCURACY_M),
            Visit.id.not_in(decided),
        )
    )
    ranked = restrict(ranked, Account, scope)
    if account_id is not None:
        ranked = ranked.where(Account.id == account_id)
    return ranked.subquery("ranked")


def pending(session: Session, scope: Scope) -> list[Proposal]:
    """The proposals a supervisor decides on, oldest visit first."""
    require_staff(scope)
    r = _candidates(scope)
    rows = session.execute(
        select(
            r.c.visit_id,
            r.c.account_id,
            Account.number,
            Account.village,
            r.c.collector_id,
            r.c.device_time,
            func.ST_X(Account.location),
            func.ST_Y(Account.location),
            func.ST_X(r.c.fix),
            func.ST_Y(r.c.fix),
            r.c.fix_accuracy_m,
            func.ST_Distance(cast(r.c.fix, Geography), cast(Account.location, Geography)),
        )
        .join(Account, Account.id == r.c.account_id)
        .where(r.c.n == 1)
        .order_by(r.c.device_time, r.c.visit_id)
    ).all()
    return [
        Proposal(v, a, num, vil, c, t, (x, y), (fx, fy), acc, round(float(d), 1))
        for v, a, num, vil, c, t, x, y, fx, fy, acc, d in rows
    ]


def decide(
    session: Session, scope: Scope, visit_id: uuid.UUID, accept: bool
) -> LocationDecision:
    """Accept (move the account to the fix, exact) or reject the pending proposal of
    ``visit_id``. 404 when it is not a pending proposal in scope; 409 when decided."""
    require_staff(scope)
    visit = session.get(Visit, visit_id)
    if visit is None or get_scoped(session, Account, visit.account_id, scope) is None:
        raise NotFound("proposed location")
    if session.scalar(select(LocationDecision.id).where(LocationDecision.visit_id == visit_id)):
        raise Conflict("This proposed location has already been decided.")
    r = _candidates(scope, visit.account_id)
    if session.scalar(select(r.c.visit_id).where(r.c.n == 1)) != visit_id:
        raise NotFound("proposed location")
    account = session.scalars(
        select(Account).where(Account.id == visit.account_id).with_for_update()
    ).one()
    decision = LocationDecision(
        account_id=account.id,
        visit_id=visit.id,
        decision=LocationDecisionKind.ACCEPTED if accept else LocationDecisionKind.REJECTED,
        from_location=account.location,
        from_quality=account.location_quality,
        to_location=visit.fix,
        fix_accuracy_m=visit.fix_accuracy_m,
        decided_by=scope.user_id,
    )
    session.add(decision)
    if accept:
        lon, lat = session.execute(select(func.ST_X(visit.fix), func.ST_Y(visit.fix))).one()
        account.location = visit.fix  # type: ignore[assignment]
        account.location_quality = LocationQuality.EXACT
        account.territory_id = territory_covering(session, account.station_id, lon, lat)
    session.flush()
    return decision


def history(session: Session, account_id: int) -> list[LocationDecision]:
    """The account's location decisions, oldest first."""
    return list(
        session.scalars(
            select(LocationDecision)
            .where(LocationDecision.account_id == account_id)
            .order_by(LocationDecision.id)
        )
    )
