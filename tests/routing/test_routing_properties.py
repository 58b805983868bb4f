"""Property: on random small problems, every plan passes the independent checker."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing import Break, Problem, SolveParams, Stop, Vehicle, solve
from tests.support.routing import DAY_END, DAY_START, HOUR, assert_feasible, grid_matrix

BUDGET = SolveParams(time_limit=20.0, solution_limit=15, workers=1)


def _problem(seed: int, stops: int, vehicles: int) -> Problem:
    rng = random.Random(seed)
    matrix = grid_matrix(rng, stops + 2, scale=rng.choice((600, 2400)))
    fleet = []
    for k in range(vehicles):
        breaks = (Break((12 * HOUR, 13 * HOUR), 1800),) if rng.random() < 0.5 else ()
        fleet.append(
            Vehicle(
                f"v{k}",
                start=rng.choice((0, stops + 1)),
                end=rng.choice((0, None)),
                shift=(DAY_START + rng.randint(0, 2) * HOUR, DAY_END - rng.randint(0, 3) * HOUR),
                capacity=rng.choice((None, 5, 10)),
                max_stops=rng.choice((None, 4, 8)),
                breaks=breaks,
                skills=frozenset({"meter"}) if rng.random() < 0.5 else frozenset(),
            )
        )
    out = []
    for i in range(1, stops + 1):
        start = DAY_START + rng.randint(0, 8) * HOUR
        windows = rng.choice(
            ((), ((start, start + HOUR),), ((DAY_START, 10 * HOUR), (15 * HOUR, 16 * HOUR)))
        )
        out.append(
            Stop(
                f"s{i}",
                i,
                rng.choice((300, 900)),
                windows,
                demand=rng.randint(0, 3),
                prize=None if rng.random() < 0.2 else rng.randint(100, 20000),
                skills=frozenset({"meter"}) if rng.random() < 0.2 else frozenset(),
            )
        )
    pinned = tuple(s.id for s in out[:1])
    fleet[0] = Vehicle(
        fleet[0].id,
        fleet[0].start,
        fleet[0].end,
        (DAY_START, DAY_END),
        None,
        None,
        fleet[0].breaks,
        fleet[0].skills,
        pinned,
    )
    return Problem(matrix, tuple(fleet), tuple(out))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    stops=st.integers(1, 25),
    vehicles=st.integers(1, 3),
)
def test_random_problems_get_checked_feasible_plans(seed: int, stops: int, vehicles: int) -> None:
    """Breaks, several windows, open ends, capacity, skills, pins: the plan always checks out."""
    problem = _problem(seed, stops, vehicles)
    assert_feasible(problem, solve(problem, BUDGET))
