"""A greedy day in Python, for when OR-Tools' first solution does not come in time.

On a big day with a small budget (a station's car group on a loaded machine), OR-Tools'
first-solution heuristic can run out of time and return nothing, or routes with every
stop dropped: the plan would send nobody anywhere. This fallback inserts the stops one by
one, mandatory first, then by penalty per second of service, each at its cheapest feasible
place (the search's own insertion test), and times the routes itself, with a single
break at the first place in the route where it fits. The caller re-checks the result.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from routing._ortools_model import mandatory_penalty
from routing._ortools_read import RawResult
from routing._recreate import Plan
from routing.problem import Problem, stop_index

__all__ = ["construct"]


def construct(
    problem: Problem, eligible: Mapping[int, Sequence[int]], seed: int
) -> RawResult | None:
    """Greedy routes with their schedule, or None if nothing fits or a vehicle has more
    than one break (the schedule below takes one)."""
    if any(len(v.breaks) > 1 for v in problem.vehicles):
        return None
    index = stop_index(problem)
    pinned = {sid for v in problem.vehicles for sid in v.pinned}
    big = mandatory_penalty(problem)
    penalty = {
        i: big if problem.stops[i].prize is None else problem.stops[i].prize or 0
        for i in eligible
        if problem.stops[i].id not in pinned
    }
    routes = [[index[sid] for sid in v.pinned] for v in problem.vehicles]
    plan = Plan(problem, eligible, penalty, routes, strict_breaks=False)
    stops = problem.stops
    order = sorted(penalty, key=lambda i: (-penalty[i] / (stops[i].service + 60), i))
    plan.recreate(order, random.Random(seed), blink=0.0)
    routes = plan.copy_routes()
    if sum(map(len, routes)) <= len(pinned):
        return None
    timed = [_schedule(problem, k, r) for k, r in enumerate(routes)]
    if any(t is None for t in timed):
        return None
    starts, spans, breaks = zip(*(t for t in timed if t is not None), strict=True)
    served = {i for r in routes for i in r}
    objective = sum(_cost(problem, k, r) for k, r in enumerate(routes))
    objective += sum(p for i, p in penalty.items() if i not in served)
    return RawResult(True, objective, tuple(map(tuple, routes)), starts, spans, breaks)


def _cost(problem: Problem, k: int, route: Sequence[int]) -> int:
    v = problem.vehicles[k]
    locs = [v.start, *(problem.stops[i].location for i in route)]
    if v.end is not None:
        locs.append(v.end)
    return sum(problem.cost(a, b) for a, b in zip(locs, locs[1:], strict=False))


def _schedule(
    problem: Problem, k: int, route: Sequence[int]
) -> tuple[tuple[int, ...], tuple[int, int], tuple[tuple[int, int], ...]] | None:
    """Earliest start of each stop, ``(departure, arrival at the end)`` and the break
    taken, leaving at the start of the shift; None if no place for the break keeps every
    window and the shift. The break is tried before each leg, on arrival (while waiting
    for a window) and at the end, in visit order: the first that fits is kept."""
    v = problem.vehicles[k]
    if not v.breaks:
        return _walk(problem, k, route, None)
    places = [(j, arrived) for j in range(len(route)) for arrived in (False, True)]
    for place in [*places, (len(route), False)]:
        timed = _walk(problem, k, route, place)
        if timed is not None:
            return timed
    return None


def _walk(
    problem: Problem, k: int, route: Sequence[int], place: tuple[int, bool] | None
) -> tuple[tuple[int, ...], tuple[int, int], tuple[tuple[int, int], ...]] | None:
    """Time ``route`` with the break (if any) before leg ``place[0]`` (on arrival at its
    stop when ``place[1]``), or after the last stop when ``place[0]`` is the route length."""
    v = problem.vehicles[k]
    d = problem.durations
    pinned = set(v.pinned)
    t, loc = v.shift[0], v.start
    starts: list[int] = []
    taken: tuple[tuple[int, int], ...] = ()

    def rest(at: int) -> int | None:
        nonlocal taken
        brk = v.breaks[0]
        b = max(at, brk.window[0])
        if b > brk.window[1]:
            return None
        taken = ((b, brk.duration),)
        return b + brk.duration

    for j, i in enumerate(route):
        s = problem.stops[i]
        if place == (j, False):
            after = rest(t)
            if after is None:
                return None
            t = after
        arrive = t + d[loc][s.location]
        if place == (j, True):
            after = rest(arrive)
            if after is None:
                return None
            arrive = after
        start = _earliest(() if s.id in pinned else s.time_windows, arrive)
        if start is None:
            return None
        starts.append(start)
        t, loc = start + s.service, s.location
    if place == (len(route), False):
        after = rest(t)
        if after is None:
            return None
        t = after
    end = t + (d[loc][v.end] if v.end is not None else 0)
    if end > v.shift[1]:
        return None
    return tuple(starts), (v.shift[0], end), taken


def _earliest(windows: Sequence[tuple[int, int]], arrive: int) -> int | None:
    """The earliest service start at or after ``arrive`` inside a window (any if none)."""
    if not windows:
        return arrive
    return min((max(a, arrive) for a, b in windows if max(a, arrive) <= b), default=None)
