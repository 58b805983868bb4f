"""A worked day for the supervisor's numbers: a published plan, visits, payments, a re-plan.

Day D = 2026-04-09 (Asia/Shanghai). Station with collectors ``west`` and ``east``.
West's route: stops at 09:00 (``a1``), 10:00 (``a2``), 11:00 (``a3``); east's: 09:30 (``e1``).
West visits a1 at 09:10 (paid, fix), a2 at 10:20 (nobody home, fix) and ``off`` (not on
the route) at 10:40 (refused, no fix), then asks for a re-plan at 10:50 from a position.
Payments on D: a1 50.00 field cash by west; a3 30.00 alipay; a1 20.00 at the counter,
reversed the next day; a2 paid 99.00 on D-1.
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
    Channel,
    EntryKind,
    Job,
    JobStatus,
    Outcome,
    Payment,
    Plan,
    PlanStatus,
    Role,
    Route,
    Station,
    Stop,
    User,
    Visit,
)
from core.planning.replan import REPLAN_KIND

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date(2026, 4, 9)


def at(hour: int, minute: int = 0, day: dt.date = D) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), TZ)


@dataclass
class SupervisorDay:
    station: Station
    supervisor: User
    west: User
    east: User
    accounts: dict[str, Account]
    plan: Plan
    routes: dict[str, Route]
    stops: dict[str, Stop]


def add_visit(
    session: Any,
    account: Account,
    collector: User,
    outcome: Outcome,
    when: dt.datetime,
    fix: tuple[float, float] | None = None,
    promise: dt.date | None = None,
) -> Visit:
    v = Visit(
        id=uuid.uuid4(),
        account_id=account.id,
        collector_id=collector.id,
        outcome=outcome,
        promise_date=promise,
        device_time=when,
        fix=WKTElement(f"POINT({fix[0]} {fix[1]})", srid=4326) if fix else None,
    )
    session.add(v)
    session.flush()
    return v


def add_payment(
    session: Any,
    account: Account,
    amount: str,
    channel: Channel,
    when: dt.datetime,
    collector: User | None = None,
    reverses: Payment | None = None,
) -> Payment:
    p = Payment(
        id=uuid.uuid4(),
        kind=EntryKind.REVERSAL if reverses else EntryKind.PAYMENT,
        account_id=account.id,
        amount=Decimal(amount),
        channel=channel,
        channel_txn_id=None
        if channel in (Channel.FIELD_CASH, Channel.FIELD_QR)
        else uuid.uuid4().hex,
        collector_id=collector.id if collector else None,
        collected_at=when,
        reverses_id=reverses.id if reverses else None,
    )
    session.add(p)
    session.flush()
    return p


def build_supervisor_day(factory: Any) -> SupervisorDay:
    session = factory.session
    station = factory.station()
    sup = factory.user(Role.SUPERVISOR, station)
    west = factory.user(Role.COLLECTOR, station)
    east = factory.user(Role.COLLECTOR, station)
    accounts = {
        "a1": factory.account(station, west, lonlat=(110.27, 34.13)),
        "a2": factory.account(station, west, lonlat=(110.28, 34.135)),
        "a3": factory.account(station, west, lonlat=(110.29, 34.14)),
        "off": factory.account(station, west, lonlat=(110.26, 34.12)),
        "e1": factory.account(station, east, lonlat=(110.33, 34.15)),
    }
    plan = Plan(
        station_id=station.id,
        plan_date=D,
        version=1,
        status=PlanStatus.PUBLISHED,
        created_by=sup.id,
        published_at=at(7),
        summary={},
    )
    session.add(plan)
    session.flush()
    routes = {
        "west": Route(
            plan_id=plan.id, collector_id=west.id, travel_seconds=3600, expected_value=Decimal(90)
        ),
        "east": Route(
            plan_id=plan.id, collector_id=east.id, travel_seconds=1800, expected_value=Decimal(30)
        ),
    }
    session.add_all(routes.values())
    session.flush()
    stops = {}
    for name, route, seq, eta in (
        ("a1", "west", 1, at(9)),
        ("a2", "west", 2, at(10)),
        ("a3", "west", 3, at(11)),
        ("e1", "east", 1, at(9, 30)),
    ):
        stops[name] = Stop(
            route_id=routes[route].id,
            account_id=accounts[name].id,
            seq=seq,
            eta=eta,
            departure=eta + dt.timedelta(minutes=10),
            expected_value=Decimal(30),
        )
    session.add_all(stops.values())
    session.flush()

    add_visit(session, accounts["a1"], west, Outcome.PAID, at(9, 10), (110.2701, 34.1301))
    add_visit(session, accounts["a2"], west, Outcome.NOBODY_HOME, at(10, 20), (110.2802, 34.135))
    add_visit(session, accounts["off"], west, Outcome.REFUSED, at(10, 40))
    add_payment(session, accounts["a1"], "50.00", Channel.FIELD_CASH, at(9, 12), west)
    add_payment(session, accounts["a3"], "30.00", Channel.ALIPAY, at(8, 5))
    counter = add_payment(session, accounts["a1"], "20.00", Channel.COUNTER, at(9, 30))
    add_payment(
        session, accounts["a1"], "20.00", Channel.COUNTER, at(9, 0, D + dt.timedelta(days=1)),
        reverses=counter,
    )  # fmt: skip
    add_payment(session, accounts["a2"], "99.00", Channel.WECHAT, at(20, 0, D - dt.timedelta(1)))
    session.add(
        Job(
            kind=REPLAN_KIND,
            status=JobStatus.DONE,
            payload={"plan_date": D.isoformat(), "replan": {"position": [110.285, 34.138]}},
            attempts=1,
            max_attempts=2,
            station_id=station.id,
            created_by=west.id,
            created_at=at(10, 50),
        )
    )
    session.flush()
    return SupervisorDay(station, sup, west, east, accounts, plan, routes, stops)
