"""Collector cash custody: handovers are ledger entries; a daily reconciliation compares
the cash counted with what was expected (see :mod:`core.money.custody` for the window),
records the variance as its own entry, and its report adds up to the fen.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NotFound, Rejected
from core.insert_once import insert_once
from core.models import Role, Station, User
from core.models.ledger_extra import CashEvent, CashReconciliation
from core.money.canonical import body_hash
from core.money.custody import window
from core.money.ids import derived_id
from core.money.records import audit
from core.scope import Scope, get_scoped

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Report:
    """A reconciliation: opening + collected - reversed - handed_over = expected;
    expected + variance = counted."""

    id: uuid.UUID
    collector_id: int
    business_date: dt.date
    opening: Decimal
    collected: Decimal
    quarantined: Decimal | None
    reversed: Decimal
    handed_over: Decimal
    expected: Decimal
    counted: Decimal
    variance: Decimal
    replay: bool
    #: Cash recorded after its own day had been counted, included in this count.
    late: Decimal | None = None


def _collector(session: Session, scope: Scope, collector_id: int) -> tuple[User, Station]:
    """The collector, locked for cash operations, and a station of theirs in scope."""
    user = get_scoped(session, User, collector_id, scope)
    if user is None or user.role is not Role.COLLECTOR:
        raise NotFound("collector")
    session.execute(select(User.id).where(User.id == user.id).with_for_update(key_share=True))
    stations = sorted(
        (s for s in user.stations if scope.is_admin or s.id in scope.station_ids),
        key=lambda s: s.id,
    )
    if not stations:
        raise NotFound("collector")
    return user, stations[0]


def in_hand(session: Session, collector_id: int, tz: ZoneInfo) -> Decimal:
    """Cash a collector should hold now: the last count plus every movement since."""
    return window(session, collector_id, tz.key).in_hand


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
    # What the collector holds now, everything recorded so far included: cash in hand
    # never goes negative.
    held = in_hand(session, user.id, tz)
    if inp.amount > held:
        raise Rejected(
            "more_than_in_hand", f"The collector holds {held:.2f}; count the cash first."
        )
    if not insert_once(
        session,
        CashEvent,
        dict(
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
        ),
    ):
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
        return _report(stored, replay=True)
    user, station = _collector(session, scope, inp.collector_id)
    tz = ZoneInfo(station.timezone)
    if inp.business_date > (today or dt.datetime.now(tz).date()):
        raise Rejected("future_day", "A day can be reconciled once it has begun.")
    counted_days = select(CashReconciliation.business_date).where(
        CashReconciliation.collector_id == user.id,
        CashReconciliation.business_date >= inp.business_date,
    )
    if session.scalar(counted_days.limit(1)) is not None:
        raise Rejected(
            "already_reconciled", "This day or a later one is already reconciled.", conflict=True
        )
    w = window(session, user.id, tz.key)
    collected = w.collected + w.quarantined
    expected = w.in_hand
    variance = inp.counted - expected
    if not insert_once(
        session,
        CashReconciliation,
        dict(
            id=inp.id,
            collector_id=user.id,
            station_id=station.id,
            business_date=inp.business_date,
            opening=w.opening,
            collected=collected,
            reversed=w.reversed,
            handed_over=w.handed_over,
            expected=expected,
            counted=inp.counted,
            variance=variance,
            actor_id=scope.user_id,
            body_hash=digest,
        ),
    ):
        stored = session.get(CashReconciliation, inp.id, populate_existing=True)
        if stored is not None and stored.body_hash == digest:
            return _report(stored, replay=True)
        if stored is not None:
            raise Rejected("id_conflict", "This id is already used by a different money record.")
        raise Rejected("already_reconciled", "This day is already reconciled.", conflict=True)
    if variance != 0:
        session.add(
            CashEvent(
                id=derived_id("cash-variance", inp.id),
                kind="variance",
                collector_id=user.id,
                station_id=station.id,
                amount=variance,
                occurred_at=dt.datetime.combine(
                    inp.business_date + dt.timedelta(days=1), dt.time(0), tz
                ),
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
    stored = session.get(CashReconciliation, inp.id)
    assert stored is not None
    return _report(stored, replay=False, quarantined=w.quarantined, late=w.late)


def _report(
    r: CashReconciliation,
    *,
    replay: bool,
    quarantined: Decimal | None = None,
    late: Decimal | None = None,
) -> Report:
    return Report(
        id=r.id,
        collector_id=r.collector_id,
        business_date=r.business_date,
        opening=r.opening,
        collected=r.collected,
        quarantined=quarantined,
        reversed=r.reversed,
        handed_over=r.handed_over,
        expected=r.expected,
        counted=r.counted,
        variance=r.variance,
        replay=replay,
        late=late,
    )
