"""A call ahead proposes the band in which the collector's route passes nearest the house
(hand-made routes, no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from core.planning.call_times import propose_times
from core.planning.draft import PlannedRoute, PlannedStop

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2027, 1, 4)


def stop(account_id: int, lon: float, hour: int) -> PlannedStop:
    eta = dt.datetime.combine(DAY, dt.time(hour, 30), tzinfo=TZ).astimezone(dt.UTC)
    return PlannedStop(
        account_id, 1, eta, eta, Decimal("1.00"), False, False, {}, lonlat=(lon, 30.0)
    )


ROUTE = PlannedRoute(
    collector_id=1,
    stops=(stop(10, 110.00, 8), stop(11, 110.05, 10), stop(12, 110.10, 15)),
    travel_seconds=0,
    expected_value=Decimal("3.00"),
    path=(),
)


def row(account_id: int) -> dict[str, object]:
    return {"account_id": account_id, "gain_fen": 100, "p_pay": 0.5, "p_home": 0.4}


def test_the_proposal_is_the_band_of_the_nearest_planned_stop():
    """A house next to the 15:30 stop is asked about 14-18; one on the route its own band."""
    where = {20: (110.099, 30.0), 21: (110.001, 30.0)}
    out = propose_times({1: [row(20), row(21), row(11)]}, [ROUTE], where, TZ)
    asked = [(r["account_id"], r["ask_from"], r["ask_until"]) for r in out[1]]
    assert asked == [(20, "14:00", "17:59"), (21, "08:00", "09:59"), (11, "10:00", "11:59")]
    assert out[1][0]["gain_fen"] == 100  # the call list's figures are kept


def test_a_collector_without_a_route_gets_no_proposal():
    """No planned stop, nothing to propose: the customer names a time."""
    empty = PlannedRoute(
        collector_id=2, stops=(), travel_seconds=0, expected_value=Decimal(0), path=()
    )
    out = propose_times({2: [row(30)], 3: [row(31)]}, [ROUTE, empty], {30: (110.0, 30.0)}, TZ)
    assert out == {2: [row(30)], 3: [row(31)]}
