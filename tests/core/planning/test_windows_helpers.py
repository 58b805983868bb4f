"""Band windows rationed to a collector's working time in the band, and idle collectors
helping the others (hand-made candidates, no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import routing
from core.models import Category
from core.money.aging import Stage
from core.planning import candidates as cand
from core.planning.helpers import helpers, lend_helpers
from core.planning.month import visits_per_day
from core.planning.priority import Priority
from core.planning.valuation import Candidate
from core.planning.vehicles import Vehicle
from core.planning.visit_value import Rates, day_mean, visit_value
from core.planning.windows import band_seconds, ration_windows
from geo.modes import TravelMode

SERVICE_S = 600
LUNCH = routing.Break((12 * 3600, 13 * 3600), 3600)


def vehicle(cid: int, mode: TravelMode = TravelMode.MOTORBIKE) -> Vehicle:
    c = cand.Collector(cid, f"c{cid}", None, None)
    return Vehicle(c, mode, (0.0, 0.0), (0.0, 0.0), (8 * 3600, 17 * 3600 + 1800), (LUNCH,))


def candidate(
    aid: int,
    collector: int,
    *,
    amount: str = "1000",
    lunch_home: float = 0.8,
    mandatory: bool = False,
    window: tuple[int, int] | None = None,
) -> Candidate:
    """An account found home at lunch with ``lunch_home``, else with 0.3."""
    home = (0.3, 0.3, lunch_home, 0.3)
    rates = Rates(0.9, home, 0.0)
    value = visit_value(
        Decimal(amount),
        rates,
        horizon_days=0,
        forced_band=2 if mandatory else None,
        window=window,
        home_in_window=0.9 if window else None,
    )
    info = cand.AccountInfo(
        aid, (0.0, 0.0), "v", Category.RESIDENTIAL, 1, frozenset({collector}), collector
    )
    due = cand.Due(Decimal(amount), Decimal(0), dt.date(2026, 10, 10), 1)
    return Candidate(
        info, due, rates, value, mandatory, frozenset({collector}), Priority(Stage.VISIT, 1.0)
    )


def test_a_band_holds_the_working_time_the_shift_and_lunch_leave():
    v = vehicle(1)
    assert band_seconds(v, 0) == 2 * 3600  # 08-10
    assert band_seconds(v, 2) == 3600  # 12-14 less the lunch hour, wherever it starts
    assert band_seconds(v, 3) == 3 * 3600 + 1800  # 14-18 ends with the shift at 17:30
    late_lunch = replace(v, breaks=(routing.Break((13 * 3600, 14 * 3600), 3600),))
    assert band_seconds(late_lunch, 2) == 2 * 3600  # it may start at 14:00, after the band
    short = replace(v, shift=(8 * 3600, 13 * 3600), breaks=())
    assert band_seconds(short, 2) == 3600 and band_seconds(short, 3) == 0  # off at 13:00


def test_the_lunch_band_keeps_as_many_windows_as_its_hour_holds_the_best_first():
    v = vehicle(1)
    cands = [candidate(i, 1, amount=str(100 * i)) for i in range(1, 11)]
    assert all(c.value.band == 2 for c in cands)
    out = ration_windows(cands, [v], SERVICE_S)
    kept = [c.info.id for c in out if c.value.band == 2]
    assert kept == [8, 9, 10]  # 3600 s hold three visits of 600 + 330 s: the largest gains
    loose = next(c for c in out if c.info.id == 1)
    mean = day_mean((0.3, 0.3, 0.8, 0.3))
    assert loose.value.band is None
    assert loose.value.p_home == mean
    assert loose.value.prize_fen == round(100 * 100 * 0.9 * mean)


def test_promised_and_appointed_visits_take_the_band_first():
    v = vehicle(1)
    promise = candidate(100, 1, mandatory=True)
    appointment = candidate(101, 1, window=(12 * 3600, 14 * 3600 - 60))
    others = [candidate(i, 1, amount=str(1000 + i)) for i in range(1, 6)]
    out = ration_windows([promise, appointment, *others], [v], SERVICE_S)
    assert out[0] == promise and out[1] == appointment  # never taken off
    assert [c.info.id for c in out[2:] if c.value.band == 2] == [5]  # one slot left


def test_other_bands_and_other_collectors_are_left_alone():
    a, b = vehicle(1), vehicle(2)
    one = [candidate(i, 1) for i in range(3)]
    two = [candidate(10 + i, 2) for i in range(3)]
    assert ration_windows(one + two, [a, b], SERVICE_S) == one + two


def test_a_collector_whose_territory_cannot_fill_the_day_helps_the_same_travel_mode():
    idle, busy, car = vehicle(1), vehicle(2), vehicle(3, TravelMode.CAR)
    day = visits_per_day(busy, SERVICE_S)
    own = [candidate(i, 1) for i in range(3)]
    theirs = [candidate(100 + i, 2, amount=str(5000 - i)) for i in range(day + 5)]
    by_car = [candidate(1000 + i, 3) for i in range(day + 5)]
    cands = own + theirs + by_car
    assert helpers(cands, [idle, busy, car], SERVICE_S) == ({1}, {2, 3})
    last = 100 + day + 4  # the smallest debt of the busy collector
    out = lend_helpers(cands, [idle, busy, car], SERVICE_S, pinned=frozenset({last - 1}))
    by_id = {c.info.id: c for c in out}
    # The busy collector's best `day` accounts stay theirs; the surplus may be helped with.
    assert all(by_id[100 + i].allowed == {2} for i in range(day))
    assert by_id[last].allowed == {1, 2} and by_id[last].helpers == {1}
    assert by_id[last].explain(SERVICE_S, dt.date(2027, 1, 4))["helpers"] == [1]
    assert by_id[last - 1].allowed == {2}  # pinned: stays with the collector who pinned it
    assert by_id[1000 + day].allowed == {3}  # a car's accounts are not a motorbike's to help
    assert all(by_id[i].allowed == {1} for i in range(3))


def test_nobody_helps_when_every_territory_fills_its_day():
    a, b = vehicle(1), vehicle(2)
    day = visits_per_day(a, SERVICE_S)
    cands = [candidate(i, 1) for i in range(day)] + [candidate(500 + i, 2) for i in range(day)]
    assert helpers(cands, [a, b], SERVICE_S) == (set(), {1, 2})
    assert lend_helpers(cands, [a, b], SERVICE_S) == cands


def test_idle_collectors_do_not_swap_their_accounts():
    a, b = vehicle(1), vehicle(2)
    cands = [candidate(1, 1), candidate(2, 2)]
    assert helpers(cands, [a, b], SERVICE_S) == ({1, 2}, set())
    assert lend_helpers(cands, [a, b], SERVICE_S) == cands
