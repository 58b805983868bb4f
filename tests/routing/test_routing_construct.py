"""The greedy fallback: a day too big for its budget still gets feasible visits."""

from __future__ import annotations

import time

import pytest

from routing import SolveParams, check_solution, solve, solver
from routing._construct import construct
from routing._ortools import CONFIGS, search
from routing.reasons import precheck
from routing.solver import GREEDY_START, _assemble, preselect
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


def test_a_big_day_starts_from_the_greedy_day_and_never_ends_below_it():
    """Above GREEDY_START modelled stops the search starts from the greedy day (OR-Tools'
    first solution takes seconds there), so even a starved search returns at least its
    value; the phases of the solve are reported."""
    problem = day_problem(seed=4, stops=400, vehicles=3, mandatory_every=0)
    candidates, rejected = precheck(problem)
    eligible, _ = preselect(problem, candidates)
    assert len(eligible) > GREEDY_START
    built = construct(problem, eligible, 0)
    assert built is not None
    greedy = _assemble(problem, built, candidates, rejected, True)
    for limit in (1.0, 3.0):
        solution = solve(problem, SolveParams(time_limit=limit, workers=1))
        assert_feasible(problem, solution)
        assert solution.cost <= greedy.cost
        assert {"check", "greedy", "classify"} <= set(solution.seconds)


def test_a_small_day_starts_from_or_tools_first_solution():
    """At or below GREEDY_START modelled stops OR-Tools' first solution is quick: the
    searches start from it, whatever their budget."""
    problem = day_problem(seed=4, stops=60, vehicles=2, mandatory_every=0)
    candidates, _ = precheck(problem)
    eligible, _ = preselect(problem, candidates)
    assert len(eligible) <= GREEDY_START
    for workers in (1, 2):
        assert not solver._greedy_start(problem, eligible, SolveParams(workers=workers), 0.1)


def test_a_lone_search_starts_from_the_greedy_day_only_on_a_short_budget(monkeypatch):
    """A lone search starts from the greedy day when its budget per modelled stop is short,
    else from OR-Tools' first solution (the better start given time); beside another
    search, search 0 always starts from the greedy day."""
    monkeypatch.setattr(solver, "GREEDY_START", 50)
    problem = day_problem(seed=5, stops=120, vehicles=2, mandatory_every=0)
    candidates, _ = precheck(problem)
    eligible, _ = preselect(problem, candidates)
    lone, beside = SolveParams(workers=1), SolveParams(workers=2)
    short = 0.5 * solver.GREEDY_BUDGET_PER_STOP * len(eligible)
    ample = 2 * solver.GREEDY_BUDGET_PER_STOP * len(eligible)
    assert solver._greedy_start(problem, eligible, lone, short)
    assert not solver._greedy_start(problem, eligible, lone, ample)
    assert solver._greedy_start(problem, eligible, beside, ample)
    warm = SolveParams(workers=2, initial_routes={"v0": ["s1"]})
    assert not solver._greedy_start(problem, eligible, warm, short)
    # The solve itself: the greedy day is built and the search reads it as its start.
    solution = solve(problem, SolveParams(time_limit=short, workers=1))
    assert "greedy" in solution.seconds
    assert_feasible(problem, solution)


def test_a_starved_search_returns_the_better_of_its_start_and_the_greedy_day(monkeypatch):
    """A search from OR-Tools' first solution with no time to improve it returns the
    greedy day instead when that is better, so a short budget never costs the greedy day's
    value."""
    monkeypatch.setattr(solver, "_greedy_start", lambda *args: False)
    problem = day_problem(seed=4, stops=400, vehicles=3, mandatory_every=0)
    candidates, rejected = precheck(problem)
    eligible, _ = preselect(problem, candidates)
    built = construct(problem, eligible, 0)
    assert built is not None
    greedy = _assemble(problem, built, candidates, rejected, True)
    solution = solve(problem, SolveParams(time_limit=1.0, workers=1))
    assert "improve" not in solution.seconds and "greedy" in solution.seconds
    assert solution.cost <= greedy.cost
    assert_feasible(problem, solution)


def test_a_failed_warm_start_on_a_big_day_does_not_start_or_tools_first_solution_late():
    """On a big model, a warm start that cannot be completed is followed by OR-Tools' own
    first solution only with time for it (it does not stop at its limit); the search
    reports nothing found, with its phases timed, and the solve falls back on the greedy
    day."""
    problem = day_problem(seed=4, stops=400, vehicles=3, mandatory_every=0)
    candidates, _ = precheck(problem)
    eligible, _ = preselect(problem, candidates)
    impossible = {0: sorted(eligible)[:300]}  # 300 visits in one shift
    raw = search(problem, eligible, CONFIGS[0], time.time() + 2.0, 0, None, impossible)
    assert not raw.found
    assert [phase for phase, _ in raw.seconds] == ["model", "first_solution"]
    ids = {problem.vehicles[0].id: [problem.stops[i].id for i in impossible[0]]}
    solution = solve(problem, SolveParams(time_limit=2.0, workers=1, initial_routes=ids))
    assert sum(len(r.stops) for r in solution.routes) > 0
    assert "greedy" in solution.seconds and "model" in solution.seconds
    assert_feasible(problem, solution)
