"""The constant-time insertion test with a lunch break agrees with the exact route test."""

from __future__ import annotations

import random

import pytest

from routing import Break, Problem, Stop, Vehicle
from routing._recreate import Plan

HOUR = 3600


def _day(seed: int) -> Problem:
    """A random one-collector day: windows of several kinds, a lunch of varying slack."""
    rng = random.Random(seed)
    n = rng.randint(3, 12)
    pts = [(rng.uniform(0, 10), rng.uniform(0, 10)) for _ in range(n + 1)]
    d = [[int(300 * ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5) for bx, by in pts] for ax, ay in pts]
    opens = rng.randint(10, 14) * HOUR
    lunch = Break((opens, opens + rng.choice((0, 1800, 3600))), rng.choice((1800, 3600)))
    end = None if rng.random() < 0.2 else 0
    vehicle = Vehicle("v", 0, end, (8 * HOUR, rng.choice((15, 17)) * HOUR), breaks=(lunch,))
    stops = []
    for i in range(1, n + 1):
        roll = rng.random()
        windows: tuple[tuple[int, int], ...] = ()
        if roll < 0.2:
            windows = ((8 * HOUR, 12 * HOUR),)
        elif roll < 0.4:
            windows = ((14 * HOUR, 17 * HOUR),)
        elif roll < 0.6:
            windows = ((rng.randint(9, 13) * HOUR, rng.randint(13, 16) * HOUR),)
        stops.append(Stop(f"s{i}", i, rng.choice((600, 1800, 3600)), windows, prize=100))
    return Problem(d, (vehicle,), tuple(stops))


@pytest.mark.parametrize("seed", range(25))
def test_every_insertion_place_is_judged_as_the_exact_break_test_judges_it(seed):
    """Build a route stop by stop; at each step compare both tests at every position."""
    problem = _day(seed)
    n = len(problem.stops)
    plan = Plan(problem, {i: (0,) for i in range(n)}, {i: 100 for i in range(n)}, [[]], False)
    rng = random.Random(seed)
    order = list(range(n))
    rng.shuffle(order)
    feasible = 0
    for i in order:
        route = plan.routes[0]
        exact = [plan.breaks_fit(0, [*route[:p], i, *route[p:]]) for p in range(len(route) + 1)]
        assert [plan.fits(i, 0, p) for p in range(len(route) + 1)] == exact
        feasible += sum(exact)
        if any(exact):
            plan.insert(i, 0, rng.choice([p for p, ok in enumerate(exact) if ok]))
    assert feasible > 0
