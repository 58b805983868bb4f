"""Small deterministic problems for the routing tests."""

from __future__ import annotations

import random

from routing import Break, Problem, Solution, SolveParams, Stop, Vehicle, check_solution

HOUR = 3600
DAY_START = 8 * HOUR
DAY_END = 17 * HOUR + 1800

#: A deterministic budget: few solutions, a time limit never reached on these sizes.
QUICK = SolveParams(time_limit=20.0, solution_limit=40, workers=1)
#: For problems of one or two stops: the search space is exhausted at once, and guided
#: local search would otherwise wait for its time limit.
TINY = SolveParams(time_limit=0.3, workers=1)


def grid_matrix(rng: random.Random, n: int, scale: int = 1800) -> list[list[int]]:
    """Travel times (seconds) between ``n`` random points, location 0 is the station."""
    pts = [(rng.randint(0, scale), rng.randint(0, scale)) for _ in range(n)]
    return [[int(((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5) for bx, by in pts] for ax, ay in pts]


def day_problem(
    seed: int = 1,
    stops: int = 20,
    vehicles: int = 2,
    *,
    lunch: bool = True,
    open_end: bool = False,
    mandatory_every: int = 5,
) -> Problem:
    """A collection day: shifts 08:00-17:30, lunch, windows on some stops, some mandatory."""
    rng = random.Random(seed)
    matrix = grid_matrix(rng, stops + 1)
    fleet = tuple(
        Vehicle(
            id=f"v{k}",
            start=0,
            end=None if open_end else 0,
            shift=(DAY_START, DAY_END),
            breaks=(Break((12 * HOUR, 13 * HOUR), 1800),) if lunch else (),
        )
        for k in range(vehicles)
    )
    out = []
    for i in range(1, stops + 1):
        windows: tuple[tuple[int, int], ...] = ()
        if i % 3 == 0:
            a = DAY_START + rng.randint(0, 6) * HOUR
            windows = ((a, a + 2 * HOUR),)
        elif i % 4 == 0:
            windows = ((DAY_START, 11 * HOUR), (14 * HOUR, 16 * HOUR))
        prize = None if mandatory_every and i % mandatory_every == 0 else rng.randint(500, 50000)
        out.append(Stop(f"s{i}", i, 900, windows, prize=prize))
    return Problem(matrix, fleet, tuple(out))


def assert_feasible(problem: Problem, solution: Solution) -> None:
    """Fail with the checker's findings if ``solution`` violates ``problem``."""
    errors = check_solution(problem, solution)
    assert not errors, errors
