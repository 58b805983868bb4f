"""A collector's travel per visit measured on the day's own candidates, and what it does
to the visits a day holds, the band windows and the helpers (hand-made candidates and
travel times, no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import numpy as np

import routing
from core.models import Category
from core.money.aging import Stage
from core.planning import candidates as cand
from core.planning.helpers import helpers
from core.planning.month import TRAVEL_PER_VISIT_S, visits_per_day
from core.planning.pace import tour_seconds, travel_per_visit
from core.planning.priority import Priority
from core.planning.valuation import Candidate
from core.planning.vehicles import Vehicle
from core.planning.visit_value import Rates, visit_value
from core.planning.windows import ration_windows
from geo.modes import TravelMode
from geo.travel import GreatCircleProvider, TravelMatrix

SERVICE_S = 600
LUNCH = routing.Break((12 * 3600, 13 * 3600), 3600)
DEPOT = (0.0, 0.0)


class LineProvider:
    """Travel seconds proportional to the distance along x (1 unit = 1 second)."""

    key = "line"

    def matrix(self, points: list[tuple[float, float]], mode: TravelMode) -> TravelMatrix:
        x = np.asarray([p[0] for p in points], dtype=np.float64)
        secs = np.abs(x[:, None] - x[None, :]).astype(np.int32)
        return TravelMatrix(secs, secs * 10, np.zeros(secs.shape, dtype=bool))


def vehicle(cid: int) -> Vehicle:
    c = cand.Collector(cid, f"c{cid}", None, None)
    return Vehicle(c, TravelMode.MOTORBIKE, DEPOT, DEPOT, (8 * 3600, 17 * 3600 + 1800), (LUNCH,))


def candidate(aid: int, collector: int, x: float, *, lunch_home: float = 0.3) -> Candidate:
    rates = Rates(0.9, (0.3, 0.3, lunch_home, 0.3), 0.0)
    value = visit_value(Decimal(1000 + aid), rates, horizon_days=0)
    info = cand.AccountInfo(
        aid, (x, 0.0), "v", Category.RESIDENTIAL, 1, frozenset({collector}), collector
    )
    due = cand.Due(Decimal(1000 + aid), Decimal(0), dt.date(2026, 10, 10), 1)
    return Candidate(
        info, due, rates, value, False, frozenset({collector}), Priority(Stage.VISIT, 1.0)
    )


def test_a_tour_takes_the_nearest_door_next():
    """From 0 through doors at 10, 30 and 20 and back: 10 + 10 + 10 + 30 = 60 seconds."""
    seconds = np.abs(np.subtract.outer([0, 10, 30, 20], [0, 10, 30, 20]))
    assert tour_seconds(seconds, 0, 0, [1, 2, 3]) == 60


def test_doors_far_apart_slow_the_day_and_close_ones_speed_it_up():
    """Doors 900 s apart along a line, out and back: 1,800 s of travel per visit, so a day
    of 30,600 working seconds holds 12 visits, not the 32 of the default guess; doors 60 s
    apart hold 42."""
    far, near = vehicle(1), vehicle(2)
    cands = [candidate(i, 1, 900.0 * (i + 1)) for i in range(60)]
    cands += [candidate(100 + i, 2, 60.0 * (i + 1)) for i in range(60)]
    pace = travel_per_visit(cands, [far, near], SERVICE_S, LineProvider())
    assert visits_per_day(far, SERVICE_S) == 32  # the default guess: 600 + 330 s a visit
    # The tour out to the n-th door and back: 2 x 900 n / n = 1,800 s a visit.
    assert pace[1] == 1800
    assert visits_per_day(far, SERVICE_S, pace[1]) == 30600 // 2400
    assert pace[2] == 120  # out along the line and back: 2 x 60 s per door
    assert visits_per_day(near, SERVICE_S, pace[2]) == 30600 // 720


def test_a_collector_with_fewer_than_two_doors_keeps_the_default():
    """One candidate tells nothing of the travel between doors."""
    one = [candidate(1, 1, 5000.0)]
    pace = travel_per_visit(one, [vehicle(1), vehicle(2)], SERVICE_S, LineProvider())
    assert pace == {1: TRAVEL_PER_VISIT_S, 2: TRAVEL_PER_VISIT_S}


def test_a_slow_pace_grants_fewer_band_windows():
    """The lunch hour holds three visits at the default pace, two at 1,200 s of travel
    each (3,600 // 1,800)."""
    v = vehicle(1)
    cands = [candidate(i, 1, 0.0, lunch_home=0.8) for i in range(1, 11)]
    assert all(c.value.band == 2 for c in cands)
    default = ration_windows(cands, [v], SERVICE_S)
    slow = ration_windows(cands, [v], SERVICE_S, {1: 1200})
    assert sum(c.value.band == 2 for c in default) == 3
    assert [c.info.id for c in slow if c.value.band == 2] == [9, 10]  # the largest gains


def test_a_slow_pace_makes_a_collector_with_few_doors_a_helper():
    """25 accounts do not fill a day at the default pace (32 visits): idle; at 1,200 s of
    travel a day holds 17 visits, so they keep the collector busy."""
    a, b = vehicle(1), vehicle(2)
    cands = [candidate(i, 1, 0.0) for i in range(25)] + [candidate(100, 2, 0.0)]
    assert helpers(cands, [a, b], SERVICE_S) == ({1, 2}, set())
    assert helpers(cands, [a, b], SERVICE_S, {1: 1200, 2: 1200}) == ({2}, {1})


class SquareOnly:
    """The great-circle provider seen only through ``matrix`` (as a road provider is):
    the pace then reads the full square, as it always did."""

    def __init__(self) -> None:
        self.inner = GreatCircleProvider()
        self.key = self.inner.key

    def matrix(self, points: list[tuple[float, float]], mode: TravelMode) -> TravelMatrix:
        return self.inner.matrix(points, mode)


def test_the_great_circle_pace_reads_only_the_legs_it_needs_and_measures_the_same():
    """With great-circle travel the pace computes the legs from the start and to the end
    of every candidate and the square of the few the tours can visit, not the square of
    all of them: the same pace as the full square gives, on 3 collectors with 150, 40 and
    2 candidates of random prizes on a grid (many doors equally far from one another, so
    the tours' ties between doors must break as before)."""
    rng = np.random.default_rng(3)
    cands = []
    for cid, n in ((1, 150), (2, 40), (3, 2)):
        xy = rng.integers(-8, 9, size=(n, 2)) * 0.004
        for i, (x, y) in enumerate(xy):
            c = candidate(cid * 1000 + i, cid, 0.0)
            info = replace(c.info, lonlat=(110.0 + x, 34.0 + y))
            value = visit_value(Decimal(int(rng.integers(50, 5000))), c.rates, horizon_days=0)
            cands.append(replace(c, info=info, value=value))
    vehicles = [vehicle(1), vehicle(2), vehicle(3)]
    vehicles = [replace(v, start=(110.0, 34.0), end=(110.0, 34.0)) for v in vehicles]
    fast = travel_per_visit(cands, vehicles, SERVICE_S, GreatCircleProvider())
    full = travel_per_visit(cands, vehicles, SERVICE_S, SquareOnly())
    assert fast == full
    assert fast[1] != TRAVEL_PER_VISIT_S and fast[3] != TRAVEL_PER_VISIT_S
