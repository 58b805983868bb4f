"""The independent checker catches broken solutions."""

from __future__ import annotations

import dataclasses

from routing import Problem, Solution, check_solution, solve
from tests.support.routing import QUICK, day_problem


def _solved() -> tuple[Problem, Solution]:
    problem = day_problem(21, stops=20, vehicles=1)
    return problem, solve(problem, QUICK)


def test_checker_accepts_a_solver_solution() -> None:
    """A solution from ``solve`` has no violations."""
    problem, solution = _solved()
    assert check_solution(problem, solution) == []


def test_checker_catches_a_moved_visit() -> None:
    """Moving a visit's start outside its window, or overlapping, is reported."""
    problem, solution = _solved()
    route = solution.routes[0]
    bad = dataclasses.replace(route.stops[0], start=0, arrival=0, departure=900)
    routes = (dataclasses.replace(route, stops=(bad, *route.stops[1:])),)
    errors = check_solution(problem, dataclasses.replace(solution, routes=routes))
    assert errors


def test_checker_catches_a_lost_stop_and_a_wrong_cost() -> None:
    """A stop neither routed nor unassigned, or a wrong objective, is reported."""
    problem, solution = _solved()
    assert check_solution(problem, dataclasses.replace(solution, unassigned=()))
    assert check_solution(problem, dataclasses.replace(solution, cost=solution.cost + 1))


def test_checker_catches_a_missing_break() -> None:
    """A route that skips its lunch break is reported."""
    problem, solution = _solved()
    routes = (dataclasses.replace(solution.routes[0], breaks=()),)
    assert check_solution(problem, dataclasses.replace(solution, routes=routes))
