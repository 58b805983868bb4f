"""The KPIs of docs/kpis.md again, in plain Python over the raw ledger rows.

Slow and obvious on purpose: the property tests hold the set-based queries of
``core/kpis`` equal to these, to the fen, over random ledgers. Nothing here is used to
answer a request.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.money.aging import escalation_stage

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RBill:
    id: int
    account_id: int
    period: dt.date
    amount: Decimal
    due_date: dt.date


@dataclass(frozen=True)
class RPayment:
    id: uuid.UUID
    kind: str
    account_id: int
    channel: str
    collector_id: int | None
    collected_at: dt.datetime
    reverses_id: uuid.UUID | None


@dataclass(frozen=True)
class RAllocation:
    payment_id: uuid.UUID
    bill_id: int
    principal: Decimal
    late_fee: Decimal


@dataclass(frozen=True)
class RVisit:
    account_id: int
    collector_id: int
    outcome: str
    device_time: dt.datetime
    promise_date: dt.date | None


@dataclass
class Snapshot:
    """Every row of some accounts, and each account's station time zone."""

    zone: dict[int, str] = field(default_factory=dict)  # account id -> time zone
    responsible: dict[int, int | None] = field(default_factory=dict)
    bills: list[RBill] = field(default_factory=list)
    payments: dict[uuid.UUID, RPayment] = field(default_factory=dict)
    allocations: list[RAllocation] = field(default_factory=list)
    visits: list[RVisit] = field(default_factory=list)

    def local(self, account_id: int, at: dt.datetime) -> dt.date:
        return at.astimezone(ZoneInfo(self.zone[account_id])).date()

    def dated_on(self, a: RAllocation) -> dt.date:
        """The local day an allocation counts on (docs/kpis.md, "Dated allocation")."""
        p = self.payments[a.payment_id]
        at = p.collected_at
        if p.reverses_id is not None:
            at = max(at, self.payments[p.reverses_id].collected_at)
        return self.local(p.account_id, at)

    def origin(self, a: RAllocation) -> RPayment:
        p = self.payments[a.payment_id]
        return self.payments[p.reverses_id] if p.reverses_id is not None else p

    def owed(self, bill: RBill, day: dt.date) -> Decimal:
        """Principal outstanding on ``bill`` at the end of ``day`` (0 before its month)."""
        if bill.period > day:
            return ZERO
        paid = sum(
            (a.principal for a in self.allocations
             if a.bill_id == bill.id and self.dated_on(a) <= day),
            ZERO,
        )  # fmt: skip
        return max(bill.amount - paid, ZERO)


def load(session: Session, account_ids: list[int]) -> Snapshot:
    """The snapshot of ``account_ids`` (plain SELECTs, nothing summed)."""
    from core.models import Account, Bill, Payment, PaymentAllocation, Station, Visit

    snap = Snapshot()
    for aid, zone, resp in session.execute(
        select(Account.id, Station.timezone, Account.responsible_id)
        .join(Station, Station.id == Account.station_id)
        .where(Account.id.in_(account_ids))
    ):
        snap.zone[aid], snap.responsible[aid] = zone, resp
    for b in session.scalars(select(Bill).where(Bill.account_id.in_(account_ids))):
        snap.bills.append(RBill(b.id, b.account_id, b.period, b.amount, b.due_date))
    for p in session.scalars(select(Payment).where(Payment.account_id.in_(account_ids))):
        snap.payments[p.id] = RPayment(
            p.id, p.kind.value, p.account_id, p.channel.value, p.collector_id,
            p.collected_at, p.reverses_id,
        )  # fmt: skip
    for a in session.scalars(
        select(PaymentAllocation).where(PaymentAllocation.payment_id.in_(list(snap.payments)))
    ):
        snap.allocations.append(RAllocation(a.payment_id, a.bill_id, a.principal, a.late_fee))
    for v in session.scalars(select(Visit).where(Visit.account_id.in_(account_ids))):
        snap.visits.append(
            RVisit(v.account_id, v.collector_id, v.outcome.value, v.device_time, v.promise_date)
        )
    return snap


def collection(snap: Snapshot, start: dt.date, end: dt.date) -> dict[str, object]:
    before = start - dt.timedelta(days=1)
    bills = {b.id: b for b in snap.bills}
    out: dict[str, object] = {
        "opening": sum((snap.owed(b, before) for b in snap.bills if b.period <= before), ZERO),
        "billed": sum((b.amount for b in snap.bills if start <= b.period <= end), ZERO),
    }
    collected = collected_new = fees = ZERO
    channels: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for a in snap.allocations:
        bill = bills[a.bill_id]
        if not start <= snap.dated_on(a) <= end or bill.period > end:
            continue
        fees += a.late_fee
        channels[snap.origin(a).channel] += a.principal
        if bill.period >= start:
            collected_new += a.principal
        else:
            collected += a.principal
    out.update(collected=collected, collected_new=collected_new, late_fees=fees)
    out["by_channel"] = dict(sorted(channels.items()))
    return out


def owing_by_day(snap: Snapshot, as_of: dt.date) -> list[tuple[dt.date, Decimal, int]]:
    first = as_of.replace(day=1)
    month_end = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    out = []
    day = first
    while day <= as_of:
        owed = [(b.account_id, snap.owed(b, day)) for b in snap.bills if b.due_date <= month_end]
        total = sum((o for _, o in owed), ZERO)
        out.append((day, total, len({a for a, o in owed if o > 0})))
        day += dt.timedelta(days=1)
    return out


def ageing(
    snap: Snapshot, as_of: dt.date
) -> tuple[dict[str, tuple[Decimal, int]], dict[str, tuple[Decimal, int]]]:
    buckets: dict[str, tuple[Decimal, set[int]]] = {}
    oldest: dict[int, int] = {}
    owed_by: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for b in snap.bills:
        owed = snap.owed(b, as_of)
        if owed <= 0:
            continue
        days = max((as_of - b.due_date).days, 0)
        name = ("not_due" if days <= 0 else "d1_30" if days <= 30 else "d31_60" if days <= 60
                else "d61_90" if days <= 90 else "d90_plus")  # fmt: skip
        yuan, accounts = buckets.get(name, (ZERO, set()))
        buckets[name] = (yuan + owed, accounts | {b.account_id})
        oldest[b.account_id] = max(oldest.get(b.account_id, 0), days)
        owed_by[b.account_id] += owed
    stages: dict[str, tuple[Decimal, int]] = {}
    for account_id, days in oldest.items():
        name = escalation_stage(days).value
        yuan, n = stages.get(name, (ZERO, 0))
        stages[name] = (yuan + owed_by[account_id], n + 1)
    return {k: (y, len(a)) for k, (y, a) in buckets.items()}, stages


def _kept(snap: Snapshot, v: RVisit) -> bool:
    assert v.promise_date is not None
    ends = dt.datetime.combine(
        v.promise_date + dt.timedelta(days=1), dt.time(), ZoneInfo(snap.zone[v.account_id])
    )
    reversed_ids = {p.reverses_id for p in snap.payments.values() if p.reverses_id}
    return any(
        p.account_id == v.account_id and p.kind == "payment" and p.id not in reversed_ids
        and v.device_time <= p.collected_at < ends
        for p in snap.payments.values()
    )  # fmt: skip


def promises(snap: Snapshot, start: dt.date, end: dt.date, as_of: dt.date) -> tuple[int, ...]:
    made = due = kept = broken = pending = 0
    for v in snap.visits:
        if v.outcome != "promise" or v.promise_date is None:
            continue
        made += start <= snap.local(v.account_id, v.device_time) <= end
        if not start <= v.promise_date <= end:
            continue
        due += 1
        if _kept(snap, v):
            kept += 1
        elif v.promise_date < as_of:
            broken += 1
        else:
            pending += 1
    return made, due, kept, broken, pending


def visits_per_collector(
    snap: Snapshot, start: dt.date, end: dt.date
) -> dict[int, tuple[int, int, int, int]]:
    """Per collector: visits, days with visits, nobody home, refused."""
    seen: dict[int, list[RVisit]] = defaultdict(list)
    for v in snap.visits:
        if start <= snap.local(v.account_id, v.device_time) <= end:
            seen[v.collector_id].append(v)
    return {
        c: (
            len(vs),
            len({snap.local(v.account_id, v.device_time) for v in vs}),
            sum(v.outcome == "nobody_home" for v in vs),
            sum(v.outcome == "refused" for v in vs),
        )
        for c, vs in seen.items()
    }
