"""An independent feasibility checker: recomputes everything from the problem.

It shares no code with the model builder: used by the tests and the benchmarks to verify
solutions (ours and the peers').
"""

from __future__ import annotations

from routing.problem import Problem, Stop
from routing.solution import Route, Solution

__all__ = ["check_solution"]


def _in_windows(s: Stop, t: int) -> bool:
    return not s.time_windows or any(a <= t <= b for a, b in s.time_windows)


def _check_route(problem: Problem, k: int, route: Route, stops: dict[str, Stop]) -> list[str]:
    v = problem.vehicles[k]
    where = f"route {v.id}"
    errors: list[str] = []
    ids = [x.id for x in route.stops]
    if tuple(ids[: len(v.pinned)]) != v.pinned:
        errors.append(f"{where}: does not start with the pinned stops {list(v.pinned)}")
    if v.max_stops is not None and len(ids) > v.max_stops:
        errors.append(f"{where}: {len(ids)} stops > max_stops {v.max_stops}")
    load = sum(stops[i].demand for i in ids)
    if v.capacity is not None and load > v.capacity:
        errors.append(f"{where}: load {load} > capacity {v.capacity}")
    if route.start < v.shift[0]:
        errors.append(f"{where}: leaves at {route.start} before the shift")
    # Time line: (begin, end) of each gap between fixed events, with the travel it holds.
    gaps: list[tuple[int, int, int]] = []
    services: list[tuple[int, int]] = []
    loc, depart, cost = v.start, route.start, 0
    for x in route.stops:
        s = stops[x.id]
        pinned = x.id in v.pinned
        if not pinned and (
            not s.skills <= v.skills or (s.vehicles is not None and v.id not in s.vehicles)
        ):
            errors.append(f"{where}: vehicle not allowed for stop {s.id}")
        if not pinned and not _in_windows(s, x.start):
            errors.append(f"{where}: stop {s.id} starts at {x.start} outside its windows")
        if x.departure != x.start + s.service or x.arrival > x.start:
            errors.append(f"{where}: stop {s.id} has an inconsistent schedule")
        gaps.append((depart, x.start, problem.durations[loc][s.location]))
        services.append((x.start, x.departure))
        cost += problem.cost(loc, s.location)
        loc, depart = s.location, x.departure
    end = depart
    if v.end is not None:
        gaps.append((depart, route.end, problem.durations[loc][v.end]))
        cost += problem.cost(loc, v.end)
        end = route.end
    elif route.stops and route.end < depart:
        errors.append(f"{where}: ends at {route.end} before its last departure {depart}")
    if end > v.shift[1]:
        errors.append(f"{where}: ends at {end} after the shift")
    if cost != route.cost:
        errors.append(f"{where}: cost {route.cost} but arcs sum to {cost}")
    errors += _check_breaks(problem, k, route, gaps, services)
    return errors


def _check_breaks(
    problem: Problem,
    k: int,
    route: Route,
    gaps: list[tuple[int, int, int]],
    services: list[tuple[int, int]],
) -> list[str]:
    v = problem.vehicles[k]
    where = f"route {v.id}"
    errors: list[str] = []
    taken = sorted((b.start, b.duration) for b in route.breaks)
    wanted = sorted(v.breaks, key=lambda b: b.window)
    if len(taken) != len(wanted):
        return [f"{where}: {len(taken)} breaks taken, {len(wanted)} required"]
    if sorted(d for _, d in taken) != sorted(b.duration for b in wanted):
        errors.append(f"{where}: break durations differ from the required ones")
    starts = sorted(b for b, _ in taken)
    windows = sorted(b.window for b in wanted)
    # A matching of starts to windows exists iff the sorted ones match (intervals sorted).
    for t, (a, b) in zip(starts, windows, strict=True):
        if not a <= t <= b:
            errors.append(f"{where}: break at {t} outside its window [{a}, {b}]")
    for (a1, d1), (a2, _) in zip(taken, taken[1:], strict=False):
        if a1 + d1 > a2:
            errors.append(f"{where}: breaks overlap at {a2}")
    for a, d in taken:
        for s0, s1 in services:
            if a < s1 and s0 < a + d and s1 > s0:
                errors.append(f"{where}: break at {a} overlaps a visit at {s0}")
    for a, d in taken:
        for edge in (route.start, route.end) if route.stops else ():
            if a < edge < a + d:
                errors.append(f"{where}: break at {a} straddles the route's start or end")
    for begin, finish, travel in gaps:
        inside = sum(d for a, d in taken if begin <= a and a + d <= finish)
        if finish - begin < travel + inside:
            errors.append(
                f"{where}: no time to travel ({travel}) and rest ({inside}) "
                f"between {begin} and {finish}"
            )
    return errors


def check_solution(problem: Problem, solution: Solution) -> list[str]:
    """List every way ``solution`` violates ``problem`` (an empty list: feasible).

    Parameters
    ----------
    problem
        The problem.
    solution
        A solution to it.

    Returns
    -------
    list of str
        Human-readable violations: stops missing or repeated, windows, shifts, breaks,
        capacity, pinned prefixes, vehicle restrictions, costs and the objective.
    """
    stops = {s.id: s for s in problem.stops}
    errors: list[str] = []
    if [r.vehicle for r in solution.routes] != [v.id for v in problem.vehicles]:
        return ["routes are not one per vehicle in the problem's order"]
    seen: list[str] = [x.id for r in solution.routes for x in r.stops]
    seen += [u.id for u in solution.unassigned]
    if sorted(seen) != sorted(stops):
        errors.append("every stop must appear exactly once (routed or unassigned)")
        return errors
    for k, route in enumerate(solution.routes):
        errors += _check_route(problem, k, route, stops)
    skipped = sum(stops[u.id].prize or 0 for u in solution.unassigned)
    expected = sum(r.cost for r in solution.routes) + skipped
    if solution.cost != expected:
        errors.append(f"cost {solution.cost} but routes + skipped prizes = {expected}")
    collected = sum(stops[x.id].prize or 0 for r in solution.routes for x in r.stops)
    if solution.prize_collected != collected:
        errors.append(f"prize_collected {solution.prize_collected} but served {collected}")
    return errors
