"""A small station day: two collectors with one territory each, accounts in arrears."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from core.models import Account, Outcome, Role, Station, User, Visit
from core.planning.runner import JobSettings

#: Tiny solver budget and short lists: 2 cores are shared.
FAST = JobSettings(lease_s=60, heartbeat_s=30, max_time_limit=2, workers=1, per_collector=50)
TZ = ZoneInfo("Asia/Shanghai")
WEST = "MULTIPOLYGON(((110.25 34.10,110.30 34.10,110.30 34.18,110.25 34.18,110.25 34.10)))"
EAST = "MULTIPOLYGON(((110.30 34.10,110.35 34.10,110.35 34.18,110.30 34.18,110.30 34.10)))"


def local_today() -> dt.date:
    return dt.datetime.now(TZ).date()


@dataclass
class Day:
    station: Station
    supervisor: User
    west: User
    east: User
    accounts: dict[str, list[Account]] = field(default_factory=dict)
    plan_date: dt.date = field(default_factory=lambda: local_today() + dt.timedelta(days=1))


def overdue_bill(factory: Any, account: Account, amount: str, days_overdue: int = 40) -> None:
    due = local_today() - dt.timedelta(days=days_overdue)
    period = (due.replace(day=1) - dt.timedelta(days=20)).replace(day=1)
    factory.bill(account, period, amount, due)


def build_day(factory: Any, *, per_side: int = 4) -> Day:
    """Station with a west and an east collector and ``per_side`` indebted accounts each."""
    station = factory.station()
    sup = factory.user(Role.SUPERVISOR, station)
    west = factory.user(Role.COLLECTOR, station, home=(110.27, 34.13))
    east = factory.user(Role.COLLECTOR, station, home=(110.33, 34.15))
    t_west = factory.territory(station, WEST, west, name="西片")
    t_east = factory.territory(station, EAST, east, name="东片")
    day = Day(station, sup, west, east)
    for side, terr, who, lon0 in (("west", t_west, west, 110.26), ("east", t_east, east, 110.31)):
        day.accounts[side] = []
        for i in range(per_side):
            acc = factory.account(
                station, who, lonlat=(lon0 + 0.008 * i, 34.12 + 0.006 * i), territory_id=terr.id
            )
            overdue_bill(factory, acc, f"{120 + 35 * i}.50")
            day.accounts[side].append(acc)
    return day


def visit(
    session: Any,
    account: Account,
    collector: User,
    outcome: Outcome,
    *,
    days_ago: int = 10,
    hour: int = 9,
    promise: dt.date | None = None,
) -> Visit:
    at = dt.datetime.combine(local_today() - dt.timedelta(days=days_ago), dt.time(hour, 15), TZ)
    v = Visit(
        id=uuid.uuid4(),
        account_id=account.id,
        collector_id=collector.id,
        outcome=outcome,
        promise_date=promise,
        device_time=at,
    )
    session.add(v)
    session.flush()
    return v


def pay_in_full(session: Any, account: Account) -> None:
    """A counter payment of the account's first bill, allocated to its principal,
    committed (a savepoint of the test's transaction)."""
    from decimal import Decimal

    from core.models import Channel, EntryKind, Payment, PaymentAllocation

    bill = account.bills[0]
    pid = uuid.uuid4()
    session.add(
        Payment(
            id=pid,
            kind=EntryKind.PAYMENT,
            account_id=account.id,
            amount=bill.amount,
            channel=Channel.COUNTER,
            channel_txn_id=f"T{pid.hex[:12]}",
            collected_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
        )
    )
    session.flush()
    session.add(
        PaymentAllocation(
            payment_id=pid, bill_id=bill.id, principal=bill.amount, late_fee=Decimal(0)
        )
    )
    session.commit()  # committed, as every write is (the route cache moves on commits)
