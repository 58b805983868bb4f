"""Collector cash custody: cash in hand = field cash collected - reversed - handed over
+ counted variances. Handovers and variances are ledger entries; a daily reconciliation
compares the cash counted with what was expected, and its report adds up to the fen.

Payments are placed by their instant, cash events by their station-local business day.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api.money.canonical import body_hash
from api.money.records import audit
from api.money.service import Rejected
from geo.models import Channel, EntryKind, Payment, Role, Station, User
from geo.models.ledger_extra import CashEvent, CashReconciliation, QuarantinedPayment
from geo.scope import Scope, get_scoped

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CashFlows:
    """Cash movements of one collector over a window."""

    collected: Decimal
    quarantined: Decimal
    reversed: Decimal
    handed_over: Decimal
    variance: Decimal

    @property
    def net(self) -> Decimal:
        return self.collected + self.quarantined - self.reversed - self.handed_over + self.variance


@dataclass(frozen=True)
class Report:
    """A reconciliation: opening + collected - reversed - handed_over = expected;
    expected + variance = counted."""

    id: uuid.UUID
    collector_id: int
    business_date: dt.date
    opening: Decimal
    collected: Decimal
    quarantined: Decimal
    reversed: Decimal
    handed_over: Decimal
    expected: Decimal
    counted: Decimal
    variance: Decimal
    replay: bool


def _sum(session: Session, column: Any, *where: ColumnElement[bool]) -> Decimal:
    value = session.scalar(select(func.coalesce(func.sum(column), 0)).where(*where))
    return Decimal(value or 0).quantize(Decimal("0.01"))


def flows(
    session: Session,
    collector_id: int,
    *,
    since: dt.datetime | None,
    until: dt.datetime,
    first_day: dt.date | None,
    last_day: dt.date,
) -> CashFlows:
    """Flows: payments in ``[since, until)``, cash events dated ``[first_day, last_day]``."""

    def window(column: Any) -> list[ColumnElement[bool]]:
        clauses = [column < until]
        if since is not None:
            clauses.append(column >= since)
        return clauses

    def days() -> list[ColumnElement[bool]]:
        clauses = [CashEvent.business_date <= last_day]
        if first_day is not None:
            clauses.append(CashEvent.business_date >= first_day)
        return clauses

    cash = (Payment.collector_id == collector_id) & (Payment.channel == Channel.FIELD_CASH)
    stored = select(Payment.id).where(Payment.id == QuarantinedPayment.id).exists()
    return CashFlows(
        collected=_sum(
            session,
            Payment.amount,
            cash,
            Payment.kind == EntryKind.PAYMENT,
            *window(Payment.collected_at),
        ),
        quarantined=_sum(
            session,
            QuarantinedPayment.amount,
            QuarantinedPayment.collector_id == collector_id,
            QuarantinedPayment.channel == Channel.FIELD_CASH.value,
            ~stored,
            *window(QuarantinedPayment.collected_at),
        ),
        reversed=_sum(
            session,
            Payment.amount,
            cash,
            Payment.kind == EntryKind.REVERSAL,
            *window(Payment.collected_at),
        ),
        handed_over=_sum(
            session,
            CashEvent.amount,
            CashEvent.collector_id == collector_id,
            CashEvent.kind == "handover",
            *days(),
        ),
        variance=_sum(
            session,
            CashEvent.amount,
            CashEvent.collector_id == collector_id,
            CashEvent.kind == "variance",
            *days(),
        ),
    )


def _collector(session: Session, scope: Scope, collector_id: int) -> tuple[User, Station]:
    """The collector, locked for cash operations, and a station of theirs in scope."""
    user = get_scoped(session, User, collector_id, scope)
    if user is None or user.role is not Role.COLLECTOR:
        raise LookupError(collector_id)
    session.execute(select(User.id).where(User.id == user.id).with_for_update(key_share=True))
    stations = sorted(
        (s for s in user.stations if scope.is_admin or s.id in scope.station_ids),
        key=lambda s: s.id,
    )
    if not stations:
        raise LookupError(collector_id)
    return user, stations[0]


def _day_bounds(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tz)


def in_hand(session: Session, collector_id: int, day: dt.date, tz: ZoneInfo) -> Decimal:
    """Cash a collector should hold at the end of local ``day``."""
    _, end = _day_bounds(day, tz)
    return flows(session, collector_id, since=None, until=end, first_day=None, last_day=day).net


@dataclass(frozen=True)
class HandoverInput:
    id: uuid.UUID
    collector_id: int
    amount: Decimal
    handed_at: dt.datetime
    device_id: str | None = None


def record_handover(session: Session, scope: Scope, inp: HandoverInput) -> tuple[CashEvent, bool]:
    """Record cash handed by a collector to the station, once; ``(event, replay)``."""
    digest = body_hash(
        {
            "id": inp.id,
            "collector_id": inp.collector_id,
            "amount": inp.amount,
            "handed_at": inp.handed_at,
            "device_id": inp.device_id,
            "actor_id": scope.user_id,
        }
    )
    stored = _stored_event(session, inp.id, digest)
    if stored is not None:
        return stored, True
    user, station = _collector(session, scope, inp.collector_id)
    tz = ZoneInfo(station.timezone)
    day = inp.handed_at.astimezone(tz).date()
    held = in_hand(session, user.id, day, tz)
    if inp.amount > held:
        raise Rejected(
            "more_than_in_hand", f"The collector holds {held:.2f} on {day}; reconcile first."
        )
    row = session.execute(
        insert(CashEvent)
        .values(
            id=inp.id,
            kind="handover",
            collector_id=user.id,
            station_id=station.id,
            amount=inp.amount,
            occurred_at=inp.handed_at,
            business_date=day,
            actor_id=scope.user_id,
            device_id=inp.device_id,
            body_hash=digest,
        )
        .on_conflict_do_nothing()
        .returning(CashEvent.id)
    ).first()
    if row is None:
        stored = _stored_event(session, inp.id, digest)
        assert stored is not None
        return stored, True
    audit(
        session,
        "cash.handover",
        inp.id,
        actor_id=scope.user_id,
        station_id=station.id,
        device_id=inp.device_id,
        amount=inp.amount,
        detail={"collector_id": user.id, "business_date": day.isoformat()},
    )
    session.flush()
    event = session.get(CashEvent, inp.id)
    assert event is not None
    return event, False


def _stored_event(session: Session, event_id: uuid.UUID, digest: str) -> CashEvent | None:
    event = session.get(CashEvent, event_id, populate_existing=True)
    if event is not None and event.body_hash != digest:
        raise Rejected("id_conflict", "This id is already used by a different money record.")
    return event


@dataclass(frozen=True)
class CountInput:
    id: uuid.UUID
    collector_id: int
    business_date: dt.date
    counted: Decimal
    device_id: str | None = None


def reconcile(
    session: Session, scope: Scope, inp: CountInput, *, today: dt.date | None = None
) -> Report:
    """Close a collector's business day: expected vs counted, the variance as its own entry."""
    digest = body_hash(
        {
            "id": inp.id,
            "collector_id": inp.collector_id,
            "business_date": inp.business_date,
            "counted": inp.counted,
            "actor_id": scope.user_id,
        }
    )
    stored = session.get(CashReconciliation, inp.id, populate_existing=True)
    if stored is not None:
        if stored.body_hash != digest:
            raise Rejected("id_conflict", "This id is already used by a different money record.")
        return _report(session, stored, replay=True)
    user, station = _collector(session, scope, inp.collector_id)
    tz = ZoneInfo(station.timezone)
    if inp.business_date > (today or dt.datetime.now(tz).date()):
        raise Rejected("future_day", "A day can be reconciled once it has begun.")
    start, end = _day_bounds(inp.business_date, tz)
    opening = flows(
        session,
        user.id,
        since=None,
        until=start,
        first_day=None,
        last_day=inp.business_date - dt.timedelta(days=1),
    ).net
    day = flows(
        session,
        user.id,
        since=start,
        until=end,
        first_day=inp.business_date,
        last_day=inp.business_date,
    )
    if day.variance != 0:
        raise Rejected("already_reconciled", "This day is already reconciled.", conflict=True)
    collected = day.collected + day.quarantined
    expected = opening + collected - day.reversed - day.handed_over
    variance = inp.counted - expected
    savepoint = session.begin_nested()
    row = session.execute(
        insert(CashReconciliation)
        .values(
            id=inp.id,
            collector_id=user.id,
            station_id=station.id,
            business_date=inp.business_date,
            opening=opening,
            collected=collected,
            reversed=day.reversed,
            handed_over=day.handed_over,
            expected=expected,
            counted=inp.counted,
            variance=variance,
            actor_id=scope.user_id,
            body_hash=digest,
        )
        .on_conflict_do_nothing()
        .returning(CashReconciliation.id)
    ).first()
    if row is None:
        savepoint.rollback()
        stored = session.get(CashReconciliation, inp.id, populate_existing=True)
        if stored is not None and stored.body_hash == digest:
            return _report(session, stored, replay=True)
        if stored is not None:
            raise Rejected("id_conflict", "This id is already used by a different money record.")
        raise Rejected("already_reconciled", "This day is already reconciled.", conflict=True)
    if variance != 0:
        session.add(
            CashEvent(
                id=uuid.uuid5(inp.id, "variance"),
                kind="variance",
                collector_id=user.id,
                station_id=station.id,
                amount=variance,
                occurred_at=end,
                business_date=inp.business_date,
                actor_id=scope.user_id,
                device_id=inp.device_id,
                reconciliation_id=inp.id,
                body_hash=digest,
            )
        )
    audit(
        session,
        "cash.reconciled",
        inp.id,
        actor_id=scope.user_id,
        station_id=station.id,
        device_id=inp.device_id,
        amount=inp.counted,
        detail={
            "collector_id": user.id,
            "business_date": inp.business_date.isoformat(),
            "expected": f"{expected:.2f}",
            "variance": f"{variance:.2f}",
        },
    )
    session.flush()
    savepoint.commit()
    stored = session.get(CashReconciliation, inp.id)
    assert stored is not None
    return _report(session, stored, replay=False, quarantined=day.quarantined)


def _report(
    session: Session, r: CashReconciliation, *, replay: bool, quarantined: Decimal | None = None
) -> Report:
    return Report(
        id=r.id,
        collector_id=r.collector_id,
        business_date=r.business_date,
        opening=r.opening,
        collected=r.collected,
        quarantined=quarantined if quarantined is not None else ZERO,
        reversed=r.reversed,
        handed_over=r.handed_over,
        expected=r.expected,
        counted=r.counted,
        variance=r.variance,
        replay=replay,
    )
