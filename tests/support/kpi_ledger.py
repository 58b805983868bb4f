"""A small ledger worked by hand for the KPI tests (April 2026, Asia/Shanghai).

Accounts: A and B (collector ``west``, village 东村), C (collector ``east``, village 西村).

- A: Feb bill 100.00 due 03-10; April bill 80.00 due 04-25. Paid 30.00 counter 03-05
  (Feb), 50.00 field cash by west 04-03 (Feb), 80.00 alipay 04-15 (April bill).
- B: March bill 200.00 due 04-10. Paid 120.00 wechat 04-05, reversed 04-12; 60.00 field
  QR by west 04-18.
- C: Jan bill 150.00 due 02-10; nothing paid.

Visits (10:00): A 04-02 promise by 04-03 (west); B 04-04 promise by 04-05 and 04-16
promise by 04-18 (west); C 03-28 promise by 04-02, 04-10 refused, 04-12 refused,
04-19 promise by 04-25 (east). West's published route of 04-16: stops B then A, its
path about 0.92 km long.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from geoalchemy2.elements import WKTElement

from core.models import (
    Account,
    Bill,
    Channel,
    EntryKind,
    Outcome,
    Payment,
    PaymentAllocation,
    Plan,
    PlanStatus,
    Role,
    Route,
    Station,
    Stop,
    User,
)
from tests.support.supervisor_day import add_visit

TZ = ZoneInfo("Asia/Shanghai")


def on(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=TZ)


@dataclass
class Ledger:
    station: Station
    supervisor: User
    west: User
    east: User
    accounts: dict[str, Account]
    bills: dict[str, Bill]


def pay(
    session: Any,
    bill: Bill,
    amount: str,
    channel: Channel,
    when: dt.datetime,
    collector: User | None = None,
    late_fee: str = "0.00",
) -> Payment:
    """A payment allocated to ``bill``'s principal (and ``late_fee``)."""
    p = Payment(
        id=uuid.uuid4(),
        kind=EntryKind.PAYMENT,
        account_id=bill.account_id,
        amount=Decimal(amount) + Decimal(late_fee),
        channel=channel,
        channel_txn_id=None if collector else uuid.uuid4().hex,
        collector_id=collector.id if collector else None,
        collected_at=when,
    )
    session.add(p)
    session.flush()
    session.add(
        PaymentAllocation(
            payment_id=p.id,
            bill_id=bill.id,
            principal=Decimal(amount),
            late_fee=Decimal(late_fee),
        )
    )
    session.flush()
    return p


def reverse(session: Any, original: Payment, when: dt.datetime) -> Payment:
    """A reversal of ``original``, its allocations mirrored."""
    r = Payment(
        id=uuid.uuid4(),
        kind=EntryKind.REVERSAL,
        account_id=original.account_id,
        amount=original.amount,
        channel=original.channel,
        collector_id=None,
        collected_at=when,
        reverses_id=original.id,
        reason="录入错误",
    )
    session.add(r)
    session.flush()
    from sqlalchemy import select

    for a in session.scalars(
        select(PaymentAllocation).where(PaymentAllocation.payment_id == original.id)
    ):
        session.add(
            PaymentAllocation(
                payment_id=r.id, bill_id=a.bill_id, principal=-a.principal, late_fee=-a.late_fee
            )
        )
    session.flush()
    return r


def build_ledger(factory: Any) -> Ledger:
    s = factory.session
    station = factory.station()
    sup = factory.user(Role.SUPERVISOR, station)
    west = factory.user(Role.COLLECTOR, station)
    east = factory.user(Role.COLLECTOR, station)
    acc = {
        "A": factory.account(station, west, lonlat=(110.27, 34.13), village="东村"),
        "B": factory.account(station, west, lonlat=(110.28, 34.13), village="东村"),
        "C": factory.account(station, east, lonlat=(110.33, 34.15), village="西村"),
    }
    d = dt.date
    bills = {
        "A_feb": factory.bill(acc["A"], d(2026, 2, 1), "100.00", d(2026, 3, 10)),
        "A_apr": factory.bill(acc["A"], d(2026, 4, 1), "80.00", d(2026, 4, 25)),
        "B_mar": factory.bill(acc["B"], d(2026, 3, 1), "200.00", d(2026, 4, 10)),
        "C_jan": factory.bill(acc["C"], d(2026, 1, 1), "150.00", d(2026, 2, 10)),
    }
    pay(s, bills["A_feb"], "30.00", Channel.COUNTER, on(3, 5))
    pay(s, bills["A_feb"], "50.00", Channel.FIELD_CASH, on(4, 3), west)
    pay(s, bills["A_apr"], "80.00", Channel.ALIPAY, on(4, 15))
    wechat = pay(s, bills["B_mar"], "120.00", Channel.WECHAT, on(4, 5))
    reverse(s, wechat, on(4, 12))
    pay(s, bills["B_mar"], "60.00", Channel.FIELD_QR, on(4, 18), west)

    add_visit(s, acc["A"], west, Outcome.PROMISE, on(4, 2), promise=d(2026, 4, 3))
    add_visit(s, acc["B"], west, Outcome.PROMISE, on(4, 4), promise=d(2026, 4, 5))
    add_visit(s, acc["B"], west, Outcome.PROMISE, on(4, 16), promise=d(2026, 4, 18))
    add_visit(s, acc["C"], east, Outcome.PROMISE, on(3, 28), promise=d(2026, 4, 2))
    add_visit(s, acc["C"], east, Outcome.REFUSED, on(4, 10))
    add_visit(s, acc["C"], east, Outcome.REFUSED, on(4, 12))
    add_visit(s, acc["C"], east, Outcome.PROMISE, on(4, 19), promise=d(2026, 4, 25))

    plan = Plan(
        station_id=station.id,
        plan_date=d(2026, 4, 16),
        version=1,
        status=PlanStatus.PUBLISHED,
        published_at=on(4, 16, 7),
        summary={},
    )
    s.add(plan)
    s.flush()
    route = Route(
        plan_id=plan.id,
        collector_id=west.id,
        travel_seconds=600,
        expected_value=Decimal(50),
        path=WKTElement("LINESTRING(110.27 34.13, 110.28 34.13)", srid=4326),
    )
    s.add(route)
    s.flush()
    for seq, name in enumerate(("B", "A"), start=1):
        s.add(
            Stop(
                route_id=route.id,
                account_id=acc[name].id,
                seq=seq,
                eta=on(4, 16, 9 + seq),
                departure=on(4, 16, 9 + seq),
                expected_value=Decimal(25),
            )
        )
    s.flush()
    return Ledger(station, sup, west, east, acc, bills)
