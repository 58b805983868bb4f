"""Behaviour of ``routing.solve`` on small problems."""

from __future__ import annotations

import dataclasses

import pytest

from routing import (
    Break,
    Problem,
    Reason,
    SolveParams,
    Status,
    Stop,
    Vehicle,
    solution_to_dict,
    solve,
)
from tests.support.routing import (
    DAY_END,
    DAY_START,
    HOUR,
    QUICK,
    TINY,
    assert_feasible,
    day_problem,
)

SQUARE = [[0, 600, 600, 900], [600, 0, 900, 600], [600, 900, 0, 600], [900, 600, 600, 0]]


def _vehicle(**kw: object) -> Vehicle:
    base: dict[str, object] = {"id": "v", "start": 0, "end": 0, "shift": (DAY_START, DAY_END)}
    base.update(kw)
    return Vehicle(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("open_end", [False, True])
def test_solution_passes_the_independent_checker(seed: int, open_end: bool) -> None:
    """Windows, shifts, lunch breaks, costs and the objective all check out independently."""
    problem = day_problem(seed, stops=25, vehicles=2, open_end=open_end)
    solution = solve(problem, QUICK)
    assert_feasible(problem, solution)


def test_every_stop_is_routed_or_has_a_reason() -> None:
    """Each stop appears exactly once: on a route or in ``unassigned`` with a reason."""
    problem = day_problem(4, stops=60, vehicles=1)
    solution = solve(problem, QUICK)
    routed = [x.id for r in solution.routes for x in r.stops]
    skipped = [u.id for u in solution.unassigned]
    assert sorted(routed + skipped) == sorted(s.id for s in problem.stops)
    assert skipped, "one collector cannot make 60 visits of 15 minutes in a day"
    assert all(isinstance(u.reason, Reason) for u in solution.unassigned)


def test_lunch_break_is_taken_inside_its_window() -> None:
    """A vehicle with a break takes it once, inside the window, not during a visit."""
    problem = day_problem(5, stops=30, vehicles=1)
    route = solve(problem, QUICK).routes[0]
    assert len(route.breaks) == 1
    assert 12 * HOUR <= route.breaks[0].start <= 13 * HOUR
    brk = route.breaks[0]
    for x in route.stops:
        assert x.departure <= brk.start or x.start >= brk.start + brk.duration


def test_arrivals_respect_time_windows_and_shift() -> None:
    """Service starts inside a window and the route fits the shift."""
    problem = day_problem(6, stops=30, vehicles=2)
    solution = solve(problem, QUICK)
    stops = {s.id: s for s in problem.stops}
    for route in solution.routes:
        assert route.start >= DAY_START and route.end <= DAY_END
        for x in route.stops:
            windows = stops[x.id].time_windows
            assert not windows or any(a <= x.start <= b for a, b in windows)
            assert x.arrival <= x.start


def test_same_seed_and_deterministic_budget_give_the_same_plan() -> None:
    """With a solution limit as budget, the same seed gives the same plan (two workers too)."""
    problem = day_problem(7, stops=30, vehicles=2)
    params = SolveParams(time_limit=30.0, seed=3, solution_limit=30, workers=2)
    first = solution_to_dict(solve(problem, params))
    second = solution_to_dict(solve(problem, params))
    assert first == second


def test_pinned_prefix_is_kept_in_order() -> None:
    """A re-planned route begins with the pinned stops, in the given order."""
    problem = day_problem(8, stops=20, vehicles=2)
    fleet = (dataclasses.replace(problem.vehicles[0], pinned=("s7", "s2")), problem.vehicles[1])
    problem = dataclasses.replace(problem, vehicles=fleet)
    solution = solve(problem, QUICK)
    assert [x.id for x in solution.routes[0].stops[:2]] == ["s7", "s2"]
    assert all(x.id not in {"s7", "s2"} for x in solution.routes[1].stops)
    assert_feasible(problem, solution)


def test_infeasible_mandatory_stop_is_reported_not_failing() -> None:
    """A mandatory stop nobody can serve is listed with a reason; the rest is still planned."""
    stops = (
        Stop("late", 1, 600, ((DAY_END + HOUR, DAY_END + 2 * HOUR),)),
        Stop("ok", 2, 600),
    )
    problem = Problem(SQUARE, (_vehicle(),), stops)
    solution = solve(problem, TINY)
    assert solution.status == Status.MANDATORY_UNSERVED
    assert [(u.id, u.reason) for u in solution.unassigned] == [
        ("late", Reason.OUTSIDE_TIME_WINDOWS)
    ]
    assert [x.id for x in solution.routes[0].stops] == ["ok"]


def test_mandatory_stops_that_compete_for_time_are_reported() -> None:
    """Two mandatory visits at the same moment for one collector: one is reported unserved."""
    window = ((10 * HOUR, 10 * HOUR),)
    stops = (Stop("a", 1, 1800, window), Stop("b", 2, 1800, window))
    problem = Problem(SQUARE, (_vehicle(),), stops)
    solution = solve(problem, TINY)
    assert solution.status == Status.MANDATORY_UNSERVED
    assert len(solution.routes[0].stops) == 1
    assert [u.reason for u in solution.unassigned] == [Reason.NO_ROOM]
    assert_feasible(problem, solution)


@pytest.mark.parametrize(
    ("stop", "vehicle", "reason"),
    [
        (Stop("x", 1, skills=frozenset({"electrician"})), {}, Reason.NO_ELIGIBLE_VEHICLE),
        (Stop("x", 1, demand=5), {"capacity": 3}, Reason.CAPACITY),
        (Stop("x", 1), {"max_stops": 0}, Reason.CAPACITY),
        (Stop("x", 1, time_windows=((0, 3600),)), {}, Reason.OUTSIDE_TIME_WINDOWS),
        (
            Stop("x", 3, 600, ((DAY_END - 700, DAY_END - 650),)),
            {},
            Reason.UNREACHABLE_IN_SHIFT,
        ),
    ],
)
def test_prechecks_give_the_reason(stop: Stop, vehicle: dict[str, object], reason: Reason) -> None:
    """Impossible stops are filtered before solving, each with its reason."""
    problem = Problem(SQUARE, (_vehicle(**vehicle),), (stop,))
    solution = solve(problem, TINY)
    assert [(u.id, u.reason) for u in solution.unassigned] == [("x", reason)]


def test_unprofitable_optional_stop_is_not_worth_it() -> None:
    """An optional stop whose prize is below its detour is skipped as ``not_worth_it``."""
    stops = (Stop("cheap", 3, 60, prize=10), Stop("must", 1, 60))
    problem = Problem(SQUARE, (_vehicle(),), stops)
    solution = solve(problem, TINY)
    assert [(u.id, u.reason) for u in solution.unassigned] == [("cheap", Reason.NOT_WORTH_IT)]
    assert solution.cost == 1200 + 10 and solution.prize_collected == 0


def test_allowed_vehicles_and_skills_are_respected() -> None:
    """A stop restricted to a vehicle, or needing a skill, is served only by that vehicle."""
    fleet = (_vehicle(id="a"), _vehicle(id="b", skills=frozenset({"meter"})))
    stops = (
        Stop("only_a", 3, 60, vehicles=frozenset({"a"})),
        Stop("needs_meter", 3, 60, skills=frozenset({"meter"})),
    )
    problem = Problem(SQUARE, fleet, stops)
    solution = solve(problem, TINY)
    assert [x.id for x in solution.routes[0].stops] == ["only_a"]
    assert [x.id for x in solution.routes[1].stops] == ["needs_meter"]


def test_capacity_and_max_stops_bound_the_route() -> None:
    """Load and the number of stops never exceed the vehicle's limits."""
    stops = tuple(Stop(f"s{i}", i, 60, demand=2, prize=100000) for i in (1, 2, 3))
    problem = Problem(SQUARE, (_vehicle(capacity=4, max_stops=3),), stops)
    solution = solve(problem, TINY)
    assert len(solution.routes[0].stops) == 2
    assert [u.reason for u in solution.unassigned] == [Reason.CAPACITY]
    assert_feasible(problem, solution)


def test_warm_start_is_accepted_and_never_an_error() -> None:
    """A previous plan (with stale ids) seeds the search; the result is still feasible."""
    problem = day_problem(9, stops=20, vehicles=2)
    previous = solve(problem, QUICK)
    routes = {r.vehicle: [x.id for x in r.stops] + ["gone"] for r in previous.routes}
    params = dataclasses.replace(QUICK, initial_routes=routes)
    solution = solve(problem, params)
    assert_feasible(problem, solution)
    assert solution.cost <= previous.cost


def test_open_end_route_ends_at_last_departure() -> None:
    """With ``end=None`` the route ends at its last stop, no return trip is costed."""
    problem = Problem(SQUARE, (_vehicle(end=None),), (Stop("far", 3, 60),))
    route = solve(problem, TINY).routes[0]
    assert route.cost == 900
    assert route.end == route.stops[-1].departure


def test_several_time_windows_are_all_usable() -> None:
    """A stop with two windows is served in the second when the first is unreachable."""
    windows = ((DAY_START, DAY_START + 100), (14 * HOUR, 15 * HOUR))
    problem = Problem(SQUARE, (_vehicle(),), (Stop("x", 3, 60, windows),))
    visit = solve(problem, TINY).routes[0].stops[0]
    assert 14 * HOUR <= visit.start <= 15 * HOUR


def test_break_between_shift_start_and_first_visit_is_counted() -> None:
    """An early break with a visit right after it delays the visit by the break."""
    vehicle = _vehicle(breaks=(Break((DAY_START, DAY_START), 1800),))
    problem = Problem(SQUARE, (vehicle,), (Stop("x", 1, 60),))
    solution = solve(problem, TINY)
    assert_feasible(problem, solution)
    assert solution.routes[0].stops[0].start >= DAY_START + 1800 + 600 or (
        solution.routes[0].start >= DAY_START + 1800
    )


def test_big_day_is_preselected_by_value_density() -> None:
    """With far more candidates than visits, low-density ones are left out as not worth it."""
    problem = day_problem(14, stops=450, vehicles=1, lunch=False, mandatory_every=0)
    fleet = (dataclasses.replace(problem.vehicles[0], pinned=("s450",)),)
    problem = dataclasses.replace(problem, vehicles=fleet)
    solution = solve(problem, dataclasses.replace(QUICK, solution_limit=5))
    assert_feasible(problem, solution)
    assert solution.routes[0].stops[0].id == "s450"
    reasons = {u.reason for u in solution.unassigned}
    assert Reason.NOT_WORTH_IT in reasons


def test_infeasible_warm_start_is_ignored() -> None:
    """A warm start that breaks windows and shifts is dropped; the plan is still found."""
    problem = day_problem(15, stops=20, vehicles=2)
    everything = [s.id for s in reversed(problem.stops)]
    params = dataclasses.replace(QUICK, initial_routes={"v0": everything})
    solution = solve(problem, params)
    assert solution.status != Status.NO_SOLUTION
    assert_feasible(problem, solution)
