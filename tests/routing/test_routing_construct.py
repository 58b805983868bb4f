"""The greedy fallback: a day too big for its budget still gets feasible visits."""

from __future__ import annotations

import pytest

from routing import SolveParams, check_solution, solve
from routing._construct import construct
from routing.reasons import precheck
from routing.solver import _assemble, preselect
from tests.support.routing import assert_feasible, day_problem


def test_a_day_too_big_for_its_budget_still_gets_visits():
    """600 stops in half a second: OR-Tools' first solution cannot finish on this
    machine, and the plan must not send everybody home with nothing."""
    problem = day_problem(seed=3, stops=600, vehicles=3)
    solution = solve(problem, SolveParams(time_limit=0.5, workers=1))
    assert sum(len(r.stops) for r in solution.routes) >= 30
    assert_feasible(problem, solution)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_greedy_day_is_feasible_with_lunch_and_windows(seed):
    """Whatever the greedy builds is timed so that windows, lunch and shifts hold."""
    problem = day_problem(seed=seed, stops=80, vehicles=2)
    candidates, rejected = precheck(problem)
    eligible, _ = preselect(problem, candidates)
    built = construct(problem, eligible, seed)
    assert built is not None
    solution = _assemble(problem, built, candidates, rejected, True)
    assert check_solution(problem, solution) == []
    assert sum(len(r.stops) for r in solution.routes) >= 10
    assert all(len(r.breaks) == 1 for r in solution.routes)
