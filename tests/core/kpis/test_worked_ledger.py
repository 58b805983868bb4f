"""Each KPI on the ledger of tests/support/kpi_ledger.py, its figures worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from core.kpis.ageing import ageing
from core.kpis.base import Period, Subject
from core.kpis.collection import collection
from core.kpis.field_work import field_work
from core.kpis.month_end import month_end
from core.kpis.promises import promises
from core.kpis.ranking import ranking
from core.kpis.stubborn import stubborn_cases
from core.models import Role
from core.scope import Scope
from tests.support.kpi_ledger import build_ledger

APRIL = Period.month(2026, 4)
AS_OF = dt.date(2026, 4, 20)
D = Decimal


def _admin() -> Scope:
    return Scope(0, Role.ADMIN, frozenset())


def test_collection_rate_of_the_station(factory: Any) -> None:
    """Opening 70 + 200 + 150 = 420; collected 50 + (120 - 120 + 60) = 110; new 80 of 80."""
    led = build_ledger(factory)
    (line,) = collection(factory.session, _admin(), Subject(led.station.id), APRIL)
    assert (line.opening, line.collected, line.billed, line.collected_new) == (
        D("420.00"), D("110.00"), D("80.00"), D("80.00"),
    )  # fmt: skip
    assert line.rate == D("0.2619")  # 110 / 420
    assert line.rate_with_new == D("0.3800")  # 190 / 500
    assert line.by_channel == {
        "alipay": D("80.00"), "field_cash": D("50.00"), "field_qr": D("60.00"), "wechat": D("0.00"),
    }  # fmt: skip


def test_collection_by_collector_and_village(factory: Any) -> None:
    """West answers for A and B (opening 270, collected 110); east for C (150, 0)."""
    led = build_ledger(factory)
    lines = collection(factory.session, _admin(), Subject(led.station.id), APRIL, "collector")
    by = {c.key: (c.opening, c.collected, c.rate) for c in lines}
    assert by == {
        led.west.id: (D("270.00"), D("110.00"), D("0.4074")),
        led.east.id: (D("150.00"), D("0.00"), D("0.0000")),
    }  # fmt: skip
    (west_village,) = collection(
        factory.session, _admin(), Subject(led.station.id, village="东村"), APRIL
    )
    assert west_village.opening == D("270.00")


def test_a_collector_sees_only_their_own_accounts(factory: Any) -> None:
    """East's scope holds C alone, whatever subject is asked for."""
    led = build_ledger(factory)
    east = Scope(led.east.id, Role.COLLECTOR, frozenset({led.station.id}))
    (line,) = collection(factory.session, east, Subject(led.station.id), APRIL)
    assert (line.opening, line.collected) == (D("150.00"), D(0))


def test_month_end_zero_on_the_20th(factory: Any) -> None:
    """310 owed by 3 accounts, 11 days left (28.19 a day); the trend day by day (04-01 500,
    04-03 A pays 50, 04-05 B 120, 04-12 reversed, 04-15 A 80, 04-18 B 60); March 20th 220."""
    led = build_ledger(factory)
    me = month_end(factory.session, _admin(), Subject(led.station.id), AS_OF)
    assert (me.owing, me.accounts, me.days_left) == (D("310.00"), 3, 11)
    assert me.per_day_needed == D("28.19")
    trend = {p.day.day: p.owing for p in me.trend}
    assert [trend[d] for d in (1, 2, 3, 4, 5, 11, 12, 15, 18, 20)] == [
        D(500), D(500), D(450), D(450), D(330), D(330), D(450), D(370), D(310), D(310)
    ]  # fmt: skip
    assert me.last_month is not None
    assert (me.last_month.day, me.last_month.owing, me.last_month.accounts) == (
        dt.date(2026, 3, 20), D("220.00"), 2,
    )  # fmt: skip


def test_ageing_now_and_at_the_month_start(factory: Any) -> None:
    """On 04-20: 20 (41 days), 140 (10 days), 150 (69 days); on 03-31: 70, 200 not due, 150."""
    led = build_ledger(factory)
    now = ageing(factory.session, _admin(), Subject(led.station.id), AS_OF)
    assert {k: (c.yuan, c.accounts) for k, c in now.buckets.items() if c.accounts} == {
        "d1_30": (D("140.00"), 1), "d31_60": (D("20.00"), 1), "d61_90": (D("150.00"), 1),
    }  # fmt: skip
    assert {k: c.accounts for k, c in now.stages.items() if c.accounts} == {
        "reminder": 1, "visit": 1, "repeated_visit": 1,
    }  # fmt: skip
    start = ageing(factory.session, _admin(), Subject(led.station.id), dt.date(2026, 3, 31))
    assert {k: c.yuan for k, c in start.buckets.items() if c.accounts} == {
        "not_due": D("200.00"), "d1_30": D("70.00"), "d31_60": D("150.00"),
    }  # fmt: skip
    assert start.stages["none"].accounts == 1 and start.stages["none"].yuan == D("200.00")


def test_promises_made_kept_broken_pending(factory: Any) -> None:
    """4 made in April; 5 due in it: A and B's second kept, B's first (reversed) and C's
    first broken, C's last pending."""
    led = build_ledger(factory)
    p = promises(factory.session, _admin(), Subject(led.station.id), APRIL, AS_OF)
    assert (p.made, p.due, p.kept, p.broken, p.pending) == (4, 5, 2, 2, 1)


def test_field_work_per_collector(factory: Any) -> None:
    """West: 3 visits on 3 days, 110 at the door, ~0.92 km, 1 of 2 stops; east: 2 refusals."""
    led = build_ledger(factory)
    rows = {f.collector_id: f for f in field_work(
        factory.session, _admin(), Subject(led.station.id), APRIL)}  # fmt: skip
    west, east = rows[led.west.id], rows[led.east.id]
    assert (west.visits, west.days, west.yuan, west.planned_stops, west.visited_stops) == (
        3, 3, D("110.00"), 2, 1,
    )  # fmt: skip
    assert D("0.90") < west.km < D("0.95")
    assert west.stops_visited_share == D("0.5000") and west.yuan_per_day == D("36.67")
    assert (east.visits, east.refused, east.nobody_home, east.yuan) == (3, 2, 0, D(0))


def test_stubborn_cases_and_ranking(factory: Any) -> None:
    """C (two refusals) is the one stubborn case; west ranks above east."""
    led = build_ledger(factory)
    (case,) = stubborn_cases(factory.session, _admin(), Subject(led.station.id), AS_OF)
    assert (case.account_id, case.owing, case.refusals, case.broken_promises) == (
        led.accounts["C"].id, D("150.00"), 2, 1,
    )  # fmt: skip
    assert [h.outcome for h in case.history] == ["promise", "refused", "refused", "promise"]
    assert [h.kept for h in case.history] == [False, None, None, False]
    ranks = ranking(factory.session, _admin(), Subject(led.station.id), APRIL, "collector")
    assert [(r.rank, r.key) for r in ranks] == [(1, led.west.id), (2, led.east.id)]


def test_field_work_with_two_routes_in_the_period(factory: Any) -> None:
    """A second published route (east's, one stop not visited that day) is counted beside
    west's: each route's day in its station's zone (a demo day has many routes)."""
    from geoalchemy2 import WKTElement
    from sqlalchemy import select

    from core.models import Plan, Route, Stop

    led = build_ledger(factory)
    s = factory.session
    plan = s.scalars(select(Plan).where(Plan.station_id == led.station.id)).one()
    route = Route(
        plan_id=plan.id,
        collector_id=led.east.id,
        travel_seconds=300,
        expected_value=D(25),
        path=WKTElement("LINESTRING(110.27 34.13, 110.27 34.14)", srid=4326),
    )
    s.add(route)
    s.flush()
    when = dt.datetime(2026, 4, 16, 10, tzinfo=dt.UTC)
    s.add(Stop(route_id=route.id, account_id=led.accounts["C"].id, seq=1, eta=when,
               departure=when, expected_value=D(25)))  # fmt: skip
    s.flush()
    rows = {f.collector_id: f for f in field_work(s, _admin(), Subject(led.station.id), APRIL)}
    west, east = rows[led.west.id], rows[led.east.id]
    assert (west.planned_stops, west.visited_stops) == (2, 1)
    assert (east.planned_stops, east.visited_stops) == (1, 0) and east.km > D("1.0")
