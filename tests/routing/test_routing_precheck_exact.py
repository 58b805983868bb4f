"""The break-aware pre-check agrees with OR-Tools on single-stop days.

The pre-check removes stops from the model, so it must never reject a stop OR-Tools could
serve; on one stop with one or two breaks it is also exact (it rejects every stop OR-Tools
cannot serve), which keeps ``during_break`` / ``unreachable_in_shift`` honest.
"""

from __future__ import annotations

import random
import time

from routing import Break, Problem, Stop, Vehicle
from routing._ortools import SearchConfig, search
from routing.reasons import precheck

H = 3600
FIRST_SOLUTION = SearchConfig("PARALLEL_CHEAPEST_INSERTION", "GREEDY_DESCENT")


def _day(rng: random.Random) -> Problem:
    travel = rng.choice([300, 1200, 2400, 3600])
    start, end = 8 * H, 8 * H + rng.choice([2, 3, 4, 6]) * H
    breaks: list[Break] = []
    earliest = start
    for _ in range(rng.choice([1, 1, 2])):
        a = rng.randrange(earliest, end - H // 2, 300)
        duration = rng.choice([900, 1800, 3600])
        breaks.append(Break((a, min(end, a + rng.choice([0, 600, 1800, 3600]))), duration))
        earliest = breaks[-1].window[1] + duration  # the next break cannot overlap it
        if earliest >= end - H // 2:
            break
    vehicle = Vehicle("v", 0, rng.choice([0, None]), (start, end), breaks=tuple(breaks))
    windows: tuple[tuple[int, int], ...] = ()
    if rng.random() < 0.7:
        a = rng.randrange(start, end, 300)
        windows = ((a, min(end, a + rng.choice([0, 600, 1800, 3600]))),)
    stop = Stop("x", 1, rng.choice([0, 600, 1800]), windows)
    return Problem([[0, travel], [travel, 0]], (vehicle,), (stop,))


def test_precheck_rejects_exactly_the_stops_ortools_cannot_serve() -> None:
    """60 random one-stop days with breaks: rejected by the pre-check iff OR-Tools fails."""
    rng = random.Random(5)
    verdicts = []
    for _ in range(60):
        problem = _day(rng)
        _, rejected = precheck(problem)
        found = search(problem, {0: (0,)}, FIRST_SOLUTION, time.time() + 5, 0, None, {})
        served = found.found and found.routes[0] == (0,)
        assert bool(rejected) != served, (problem, rejected)
        verdicts.append(served)
    assert 10 < sum(verdicts) < 50  # both kinds of day were drawn
