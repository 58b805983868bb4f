"""The KPIs the first property test leaves out, against core/kpis/reference.py to the fen:
field work's money, km and stops (yuan per collector-day, yuan per km, share of planned
stops visited), stubborn cases, and the ranking of collectors; over the random ledgers
of tests/core/money/test_due_sql.py with payments through every channel (field cash and
QR taken by either of two collectors, counter, kiosk, bank, online), some reversed,
accounts split between the two collectors, random visits and published routes.

A route's path lies on the equator, so its length is the equator's arc (WGS-84 semi-major
axis times the longitude span): the reference computes it without a geodesy library.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from geoalchemy2.elements import WKTElement
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from core.kpis import reference as ref
from core.kpis.ageing import ageing
from core.kpis.base import Period, Subject
from core.kpis.collection import collection
from core.kpis.field_work import field_work
from core.kpis.month_end import owing_by_day
from core.kpis.ranking import ranking
from core.kpis.stubborn import LOOKBACK_DAYS, THRESHOLD, stubborn_cases
from core.models import (
    Account,
    Channel,
    EntryKind,
    Payment,
    PaymentAllocation,
    Plan,
    PlanStatus,
    Role,
    Route,
    Station,
    Stop,
)
from core.money import plan_allocation
from core.money.payable import payable
from tests.core.kpis.test_reference import ADMIN, _visits, visits
from tests.core.money.test_due_sql import MINUTES, START, TODAY, _build, ledgers
from tests.factories import Factory

EQUATOR_KM = Decimal("6378.137")  # WGS-84 semi-major axis
FIELD = (Channel.FIELD_CASH, Channel.FIELD_QR)
CHANNELS = [*FIELD, Channel.COUNTER, Channel.KIOSK, Channel.BANK, Channel.ALIPAY, Channel.WECHAT]

payments = st.lists(
    st.tuples(
        st.integers(0, 3),  # account
        st.integers(0, 330),  # day after START
        st.sampled_from(MINUTES),
        st.integers(100, 30_000).map(lambda c: Decimal(c) / 100),
        st.sampled_from(CHANNELS),
        st.integers(0, 1),  # which collector takes a field payment
        st.one_of(st.none(), st.integers(0, 40)),  # reversed so many days later
    ),
    max_size=8,
)
routes = st.lists(
    st.tuples(
        st.integers(0, 1),  # station
        st.integers(0, 330),  # plan day after START
        st.integers(0, 1),  # collector
        st.integers(1, 200).map(lambda d: Decimal(d) / 1000),  # longitude span, degrees
        st.lists(st.integers(0, 3), max_size=3, unique=True),  # stop accounts
    ),
    max_size=4,
    unique_by=lambda r: (r[0], r[1]),
)

#: Late in the suite the tables hold every earlier test's dead rows (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("vacuumed_database")


def _zone(session: Session, account: Account) -> str:
    station = session.get(Station, account.station_id)
    assert station is not None
    return station.timezone


def _pay(session: Session, accounts: list[Account], collectors: list[int], drawn: Any) -> None:
    """Payments through any channel, allocated by the payable rule; some reversed."""
    for index, day, minute, amount, channel, who, reversed_after in drawn:
        account = accounts[index % len(accounts)]
        zone = ZoneInfo(_zone(session, account))
        on = START + dt.timedelta(day)
        due = payable(session, account.id, on, TODAY)
        if not due.bills:
            continue
        plan = plan_allocation(due, amount, ())
        field = channel in FIELD
        payment = Payment(
            id=uuid.uuid4(),
            kind=EntryKind.PAYMENT,
            account_id=account.id,
            amount=amount,
            channel=channel,
            channel_txn_id=None if field else uuid.uuid4().hex,
            collector_id=collectors[who] if field else None,
            collected_at=dt.datetime.combine(on, dt.time(minute // 60, minute % 60), zone),
        )
        session.add(payment)
        session.flush()
        lines = [
            PaymentAllocation(
                payment_id=payment.id, bill_id=x.bill_id, principal=x.principal,
                late_fee=x.late_fee,
            )
            for x in plan.lines
        ]  # fmt: skip
        session.add_all(lines)
        session.flush()
        if reversed_after is None:
            continue
        reversal = Payment(
            id=uuid.uuid4(),
            kind=EntryKind.REVERSAL,
            account_id=account.id,
            amount=amount,
            channel=channel,
            channel_txn_id=None if field else uuid.uuid4().hex,
            collector_id=payment.collector_id,
            collected_at=payment.collected_at + dt.timedelta(days=reversed_after, minutes=1),
            reverses_id=payment.id,
            reason="test",
        )
        session.add(reversal)
        session.flush()
        session.add_all(
            PaymentAllocation(
                payment_id=reversal.id, bill_id=x.bill_id, principal=-x.principal,
                late_fee=-x.late_fee,
            )
            for x in lines
        )  # fmt: skip
        session.flush()


def _routes(
    session: Session, accounts: list[Account], collectors: list[int], drawn: Any
) -> list[tuple[int, dt.date, int, Decimal, list[int]]]:
    """Published plans with one route each (path on the equator); what was built."""
    stations = sorted({a.station_id for a in accounts})
    built = []
    for station_index, day, who, span, stop_indexes in drawn:
        station_id = stations[station_index % len(stations)]
        on = START + dt.timedelta(day)
        plan = Plan(
            station_id=station_id, plan_date=on, version=1, status=PlanStatus.PUBLISHED,
            published_at=dt.datetime.combine(on, dt.time(6), dt.UTC), summary={},
        )  # fmt: skip
        session.add(plan)
        session.flush()
        route = Route(
            plan_id=plan.id, collector_id=collectors[who], travel_seconds=3600,
            expected_value=Decimal(10), path=WKTElement(f"LINESTRING(0 0, {span} 0)", srid=4326),
        )  # fmt: skip
        session.add(route)
        session.flush()
        mine = [a for a in accounts if a.station_id == station_id]
        stop_accounts = sorted({mine[i % len(mine)].id for i in stop_indexes}) if mine else []
        for seq, account_id in enumerate(stop_accounts, start=1):
            eta = dt.datetime.combine(on, dt.time(8 + seq), dt.UTC)
            session.add(
                Stop(
                    route_id=route.id, account_id=account_id, seq=seq, eta=eta,
                    departure=eta + dt.timedelta(minutes=10), expected_value=Decimal(5),
                )
            )  # fmt: skip
        session.flush()
        built.append((station_id, on, collectors[who], span, stop_accounts))
    return built


def _ref_field(
    snap: ref.Snapshot, built: Any, station_id: int, start: dt.date, end: dt.date
) -> dict[int, tuple[Any, ...]]:
    """Per collector: visits, days, nobody home, refused, yuan, km, planned, visited."""
    out: dict[int, list[Any]] = {}

    def line(cid: int) -> list[Any]:
        return out.setdefault(cid, [0, 0, 0, 0, Decimal("0.00"), Decimal("0"), 0, 0])

    for cid, (n, days, home, refused) in ref.visits_per_collector(snap, start, end).items():
        line(cid)[:4] = [n, days, home, refused]
    for a in snap.allocations:
        origin = snap.origin(a)
        if (
            origin.channel in {c.value for c in FIELD}
            and origin.collector_id is not None
            and start <= snap.dated_on(a) <= end
        ):
            line(origin.collector_id)[4] += a.principal + a.late_fee
    km: dict[int, float] = {}
    for st_id, on, cid, span, stop_accounts in built:
        if st_id != station_id or not start <= on <= end:
            continue
        km[cid] = km.get(cid, 0.0) + float(EQUATOR_KM) * math.radians(float(span))
        row = line(cid)
        row[6] += len(stop_accounts)
        row[7] += sum(
            any(
                v.collector_id == cid and v.account_id == aid
                and snap.local(v.account_id, v.device_time) == on
                for v in snap.visits
            )
            for aid in stop_accounts
        )  # fmt: skip
    for cid, length in km.items():
        line(cid)[5] = Decimal(str(round(length, 3)))
    return {cid: tuple(v) for cid, v in out.items()}


def _ref_stubborn(snap: ref.Snapshot, as_of: dt.date) -> list[tuple[int, Decimal, int, int]]:
    east = dt.timezone(dt.timedelta(hours=14))
    since = dt.datetime.combine(as_of - dt.timedelta(days=LOOKBACK_DAYS), dt.time(), east)
    until = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), east)
    counts: dict[int, list[int]] = {}
    for v in snap.visits:
        if not since <= v.device_time < until:
            continue
        c = counts.setdefault(v.account_id, [0, 0])
        if v.outcome == "refused":
            c[0] += 1
        elif v.outcome == "promise" and v.promise_date is not None:
            c[1] += v.promise_date < as_of and not ref._kept(snap, v)
    cases = []
    for account_id, (refusals, broken) in counts.items():
        owing = sum(
            (snap.owed(b, as_of) for b in snap.bills if b.account_id == account_id),
            Decimal("0.00"),
        )
        if owing > 0 and (refusals >= THRESHOLD or broken >= THRESHOLD):
            cases.append((account_id, owing, refusals, broken))
    return sorted(cases, key=lambda c: (-c[1], c[0]))


def _ref_ranking(snap: ref.Snapshot, start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    """(rank, collector) by collection rate over the accounts each is responsible for."""
    lines = []
    for cid in sorted({r for r in snap.responsible.values() if r is not None}):
        mine = {a for a, r in snap.responsible.items() if r == cid}
        part = ref.Snapshot(
            zone=snap.zone,
            responsible=snap.responsible,
            bills=[b for b in snap.bills if b.account_id in mine],
            payments=snap.payments,
            allocations=[a for a in snap.allocations if snap.payments[a.payment_id].account_id
                         in mine],
            visits=snap.visits,
        )  # fmt: skip
        figures = ref.collection(part, start, end)
        opening, collected = figures["opening"], figures["collected"]
        assert isinstance(opening, Decimal) and isinstance(collected, Decimal)
        rate = (collected / opening).quantize(Decimal("0.0001")) if opening > 0 else None
        lines.append((cid, rate, collected))
    lines.sort(key=lambda x: (-(x[1] if x[1] is not None else Decimal(-1)), -x[2]))
    return [(i + 1, cid) for i, (cid, _, _) in enumerate(lines)]


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=ledgers, paid=payments, drawn=visits, planned=routes, period=st.tuples(
    st.integers(0, 330), st.integers(0, 70)))  # fmt: skip
def test_field_work_stubborn_and_ranking_equal_their_reference(
    app: Any, session: Session, spec: Any, paid: Any, drawn: Any, planned: Any, period: Any
) -> None:
    """Field work (money, km, stops), stubborn cases, the collectors' ranking and the
    collection by channel equal the reference over multi-channel ledgers."""
    savepoint = session.begin_nested()
    try:
        factory = Factory(session, app)
        accounts = _build(session, factory, spec)
        stations = [session.get(Station, s) for s in sorted({a.station_id for a in accounts})]
        first = accounts[0].responsible_id
        assert first is not None
        second = factory.user(Role.COLLECTOR, *[s for s in stations if s is not None]).id
        for account in accounts[1::2]:  # every other account is the second collector's
            account.responsible_id = second
        session.flush()
        collectors = [first, second]
        _pay(session, accounts, collectors, paid)
        _visits(session, accounts, drawn)
        built = _routes(session, accounts, collectors, planned)
        start = START + dt.timedelta(period[0])
        end = start + dt.timedelta(period[1])
        for station_id in sorted({a.station_id for a in accounts}):
            snap = ref.load(session, [a.id for a in accounts if a.station_id == station_id])
            subject = Subject(station_id)
            got = {
                f.collector_id: (
                    f.visits, f.days, f.nobody_home, f.refused, f.yuan, f.km,
                    f.planned_stops, f.visited_stops,
                )
                for f in field_work(session, ADMIN, subject, Period(start, end))
            }  # fmt: skip
            assert got == _ref_field(snap, built, station_id, start, end), ("field", station_id)
            (line,) = collection(session, ADMIN, subject, Period(start, end))
            want = ref.collection(snap, start, end)
            assert line.by_channel == want["by_channel"], ("by channel", station_id)
            assert (line.opening, line.collected, line.collected_new, line.late_fees) == (
                want["opening"], want["collected"], want["collected_new"], want["late_fees"]
            ), ("collection", station_id)  # fmt: skip
            cases = stubborn_cases(session, ADMIN, subject, end)
            assert [(c.account_id, c.owing, c.refusals, c.broken_promises) for c in cases] == (
                _ref_stubborn(snap, end)
            ), ("stubborn", station_id, end)
            # A collector's subject (the accounts they answer for) and a village's: the
            # month-end trend and ageing of exactly those accounts.
            for who in collectors:
                mine = [a.id for a in accounts if a.station_id == station_id
                        and a.responsible_id == who]  # fmt: skip
                part = ref.load(session, mine)
                theirs = Subject(station_id, collector_id=who)
                trend = owing_by_day(session, ADMIN, theirs, end)
                assert [(d.day, d.owing, d.accounts) for d in trend] == ref.owing_by_day(
                    part, end
                ), ("collector's month-end", who)
                buckets, _ = ref.ageing(part, end)
                aged = ageing(session, ADMIN, theirs, end).buckets
                assert {k: (c.yuan, c.accounts) for k, c in aged.items() if c.accounts} == (
                    buckets
                ), ("collector's ageing", who)
            ranked = ranking(session, ADMIN, subject, Period(start, end), "collector")
            assert [(r.rank, r.key) for r in ranked] == _ref_ranking(snap, start, end), (
                "ranking", station_id,
            )  # fmt: skip
    finally:
        savepoint.rollback()
