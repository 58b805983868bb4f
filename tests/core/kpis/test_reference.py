"""Each set-based KPI equals its plain-Python reference (core/kpis/reference.py) to the fen.

The ledgers are those of tests/core/money/test_due_sql.py (two stations in two time
zones, payments out of collection order allocated by the payable rule, collections just
after and before midnight, reversals days later), plus random visits and promises.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from core.kpis import reference as ref
from core.kpis.ageing import ageing
from core.kpis.base import Period, Subject, previous_month_same_day
from core.kpis.collection import collection
from core.kpis.field_work import field_work
from core.kpis.month_end import month_end
from core.kpis.promises import promises
from core.models import Account, Outcome, Role, Visit
from core.scope import Scope
from tests.core.money.test_due_sql import MINUTES, START, Pay, _build, ledgers
from tests.factories import Factory

ADMIN = Scope(0, Role.ADMIN, frozenset())
OUTCOMES = [Outcome.PROMISE, Outcome.NOBODY_HOME, Outcome.REFUSED, Outcome.PAID]
visits = st.lists(
    st.tuples(
        st.integers(0, 3),  # account
        st.integers(0, 330),  # day after START
        st.sampled_from(MINUTES),
        st.sampled_from(OUTCOMES),
        st.integers(0, 20),  # promised days later
    ),
    max_size=10,
)

#: Late in the suite the tables hold every earlier test's dead rows (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("vacuumed_database")
periods = st.tuples(st.integers(0, 400), st.integers(0, 70))


def _visits(session: Session, accounts: list[Account], drawn: list[Any]) -> None:
    for index, day, minute, outcome, later in drawn:
        account = accounts[index % len(accounts)]
        zone = account_zone(session, account)
        on = START + dt.timedelta(day)
        at = dt.datetime.combine(on, dt.time(minute // 60, minute % 60), ZoneInfo(zone))
        session.add(
            Visit(
                id=uuid.uuid4(),
                account_id=account.id,
                collector_id=account.responsible_id,
                outcome=outcome,
                promise_date=on + dt.timedelta(later) if outcome is Outcome.PROMISE else None,
                device_time=at,
            )
        )
    session.flush()


def account_zone(session: Session, account: Account) -> str:
    from core.models import Station

    station = session.get(Station, account.station_id)
    assert station is not None
    return station.timezone


def _check(session: Session, accounts: list[Account], start: dt.date, end: dt.date) -> None:
    for station_id in sorted({a.station_id for a in accounts}):
        mine = [a.id for a in accounts if a.station_id == station_id]
        snap = ref.load(session, mine)
        subject = Subject(station_id)
        (line,) = collection(session, ADMIN, subject, Period(start, end))
        want = ref.collection(snap, start, end)
        got = {
            "opening": line.opening, "billed": line.billed, "collected": line.collected,
            "collected_new": line.collected_new, "late_fees": line.late_fees,
            "by_channel": line.by_channel,
        }  # fmt: skip
        assert got == want, ("collection", station_id, start, end)
        me = month_end(session, ADMIN, subject, end)
        want_trend = ref.owing_by_day(snap, end)
        assert [(d.day, d.owing, d.accounts) for d in me.trend] == want_trend, (
            "month-end trend", station_id, end,
        )  # fmt: skip
        # "The same day last month" (read by the same statement) is the last line of
        # that month's trend.
        assert me.last_month is not None
        last = (me.last_month.day, me.last_month.owing, me.last_month.accounts)
        assert last == ref.owing_by_day(snap, previous_month_same_day(end))[-1], (
            "month-end last month", station_id, end,
        )  # fmt: skip
        aged = ageing(session, ADMIN, subject, end)
        buckets, stages = ref.ageing(snap, end)
        assert {k: (c.yuan, c.accounts) for k, c in aged.buckets.items() if c.accounts} == (
            buckets
        ), ("ageing buckets", station_id, end)
        assert {k: (c.yuan, c.accounts) for k, c in aged.stages.items() if c.accounts} == (
            stages
        ), ("ageing stages", station_id, end)
        as_of = end - dt.timedelta(days=3)
        p = promises(session, ADMIN, subject, Period(start, end), as_of)
        assert (p.made, p.due, p.kept, p.broken, p.pending) == ref.promises(
            snap, start, end, as_of
        ), ("promises", station_id, start, end)
        work = {
            f.collector_id: (f.visits, f.days, f.nobody_home, f.refused)
            for f in field_work(session, ADMIN, subject, Period(start, end))
            if f.visits
        }
        assert work == ref.visits_per_collector(snap, start, end), ("field work", station_id)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=ledgers, drawn=visits, period=periods)
def test_every_kpi_equals_its_reference(
    app: Any, session: Session, spec: Any, drawn: Any, period: Any
) -> None:
    """Collection, the month-end trend, ageing, promises and visit counts equal the reference."""
    savepoint = session.begin_nested()
    try:
        accounts = _build(session, Factory(session, app), spec)
        _visits(session, accounts, drawn)
        offset, length = period
        start = START + dt.timedelta(offset)
        _check(session, accounts, start, start + dt.timedelta(length))
        # A whole month too (the month-end trend from the 1st to its last day).
        month = Period.month(2026, 3)
        _check(session, accounts, month.start, month.end)
    finally:
        savepoint.rollback()


def _crowded(spec: dict[str, Any]) -> dict[str, Any]:
    """The ledger's payments within START's first 46 days and its reversals within 12 days
    of their payments: bills money moves on several days of one month (partial payments,
    a payment and its reversal), which ledgers spread over a year seldom draw."""
    events = [
        dataclasses.replace(e, day=e.day % 46)
        if isinstance(e, Pay)
        else dataclasses.replace(e, delay_days=e.delay_days % 12)
        for e in spec["events"]
    ]
    return {**spec, "events": events}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=ledgers.map(_crowded), days=st.lists(st.integers(0, 60), min_size=1, max_size=3))
def test_month_end_equals_its_reference_when_money_moves_often(
    app: Any, session: Session, spec: Any, days: list[int]
) -> None:
    """The month-end trend and last month's day equal the reference on days of START's
    first two months, when bills are moved on several days of the month (stepped one by
    one) as well as on one (read from the bill's own row)."""
    savepoint = session.begin_nested()
    try:
        accounts = _build(session, Factory(session, app), spec)
        for station_id in sorted({a.station_id for a in accounts}):
            snap = ref.load(session, [a.id for a in accounts if a.station_id == station_id])
            for day in days:
                end = START + dt.timedelta(day)
                me = month_end(session, ADMIN, Subject(station_id), end)
                got = [(d.day, d.owing, d.accounts) for d in me.trend]
                assert got == ref.owing_by_day(snap, end), ("trend", station_id, end)
                assert me.last_month is not None
                last = (me.last_month.day, me.last_month.owing, me.last_month.accounts)
                want = ref.owing_by_day(snap, previous_month_same_day(end))[-1]
                assert last == want, ("last month", station_id, end)
    finally:
        savepoint.rollback()


def test_the_reference_sees_a_reversal_on_the_later_day() -> None:
    """A reversal collected before its (backdated) original counts on the original's day."""
    snap = ref.Snapshot(zone={1: "Asia/Shanghai"})
    tz = ZoneInfo("Asia/Shanghai")
    original = ref.RPayment(uuid.uuid4(), "payment", 1, "counter", None,
                            dt.datetime(2026, 4, 9, 10, tzinfo=tz), None)  # fmt: skip
    rev = ref.RPayment(uuid.uuid4(), "reversal", 1, "counter", None,
                       dt.datetime(2026, 4, 2, 10, tzinfo=tz), original.id)  # fmt: skip
    snap.payments = {original.id: original, rev.id: rev}
    a = ref.RAllocation(rev.id, 7, Decimal("-5.00"), Decimal("0.00"))
    assert snap.dated_on(a) == dt.date(2026, 4, 9)
