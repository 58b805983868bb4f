"""Why a stop is not on a route: cheap checks before solving, classification after.

Travel here ignores breaks: the checks never reject a stop that a break-free schedule could
serve, so a stop is only pre-filtered when it is impossible for certain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from routing.problem import Problem, Stop, Vehicle, stop_index

__all__ = ["Reason", "earliest_start", "precheck", "classify_dropped"]

_INF = 1 << 62


class Reason(StrEnum):
    """Why a stop is unassigned."""

    #: No vehicle has the skills and is in the stop's allowed list.
    NO_ELIGIBLE_VEHICLE = "no_eligible_vehicle"
    #: No time window is compatible with any eligible vehicle's shift.
    OUTSIDE_TIME_WINDOWS = "outside_time_windows"
    #: No eligible vehicle can reach it in a window and get back within its shift.
    UNREACHABLE_IN_SHIFT = "unreachable_in_shift"
    #: Its demand (or one more stop) does not fit any eligible vehicle.
    CAPACITY = "capacity"
    #: It could be added to a route, but its prize does not pay for the detour (or, on a
    #: big day, its value density was too low to be among the candidates modelled).
    NOT_WORTH_IT = "not_worth_it"
    #: Feasible alone, but no route of the plan has room left for it in time (the other
    #: stops, breaks or the search budget took the time).
    NO_TIME_LEFT = "no_time_left"


def earliest_start(windows: Sequence[tuple[int, int]], t: int) -> int:
    """Earliest start of service at or after ``t`` inside ``windows`` (``_INF`` if none)."""
    if not windows:
        return t
    for a, b in windows:
        if t <= b:
            return max(a, t)
    return _INF


def _latest_start(windows: Sequence[tuple[int, int]], t: int) -> int:
    """Latest start of service at or before ``t`` inside ``windows`` (``-1`` if none)."""
    if not windows:
        return t
    for a, b in reversed(windows):
        if a <= t:
            return min(b, t)
    return -1


@dataclass(frozen=True)
class _Prefix:
    """Where and when a vehicle is free after its pinned stops, and what they used."""

    location: int
    time: int
    load: int
    count: int


def _prefix(problem: Problem, v: Vehicle, index: dict[str, int]) -> _Prefix:
    loc, t, load = v.start, v.shift[0], 0
    for sid in v.pinned:
        s = problem.stops[index[sid]]
        t += problem.durations[loc][s.location] + s.service
        load += s.demand
        loc = s.location
    return _Prefix(loc, t, load, len(v.pinned))


def _skills_ok(s: Stop, v: Vehicle) -> bool:
    return s.skills <= v.skills and (s.vehicles is None or v.id in s.vehicles)


def _fits(s: Stop, v: Vehicle, pre: _Prefix) -> bool:
    if v.capacity is not None and pre.load + s.demand > v.capacity:
        return False
    return v.max_stops is None or pre.count + 1 <= v.max_stops


def _windows_meet_shift(s: Stop, v: Vehicle) -> bool:
    lo, hi = v.shift[0], v.shift[1] - s.service
    if not s.time_windows:
        return lo <= hi
    return any(a <= hi and lo <= b for a, b in s.time_windows)


def _reachable(problem: Problem, s: Stop, v: Vehicle, pre: _Prefix) -> bool:
    start = earliest_start(s.time_windows, pre.time + problem.durations[pre.location][s.location])
    back = 0 if v.end is None else problem.durations[s.location][v.end]
    return start + s.service + back <= v.shift[1]


def precheck(problem: Problem) -> tuple[dict[int, tuple[int, ...]], dict[int, Reason]]:
    """Split the stops into the ones worth modelling and the impossible ones.

    Parameters
    ----------
    problem
        The problem.

    Returns
    -------
    eligible
        Stop position to the vehicle positions that could serve it alone (pinned stops map
        to their vehicle).
    rejected
        Stop position to the reason it cannot be served by anyone.
    """
    index = stop_index(problem)
    prefixes = [_prefix(problem, v, index) for v in problem.vehicles]
    pinned = {index[sid]: k for k, v in enumerate(problem.vehicles) for sid in v.pinned}
    eligible: dict[int, tuple[int, ...]] = {}
    rejected: dict[int, Reason] = {}
    for i, s in enumerate(problem.stops):
        if i in pinned:
            eligible[i] = (pinned[i],)
            continue
        cands = [k for k, v in enumerate(problem.vehicles) if _skills_ok(s, v)]
        if not cands:
            rejected[i] = Reason.NO_ELIGIBLE_VEHICLE
            continue
        cands = [k for k in cands if _fits(s, problem.vehicles[k], prefixes[k])]
        if not cands:
            rejected[i] = Reason.CAPACITY
            continue
        cands = [k for k in cands if _windows_meet_shift(s, problem.vehicles[k])]
        if not cands:
            rejected[i] = Reason.OUTSIDE_TIME_WINDOWS
            continue
        cands = [k for k in cands if _reachable(problem, s, problem.vehicles[k], prefixes[k])]
        if not cands:
            rejected[i] = Reason.UNREACHABLE_IN_SHIFT
            continue
        eligible[i] = tuple(cands)
    return eligible, rejected


def _route_times(
    problem: Problem, v: Vehicle, route: Sequence[int]
) -> tuple[list[int], list[int], list[int]]:
    """Locations, earliest and latest feasible starts along ``route`` (start included)."""
    stops, d = problem.stops, problem.durations
    npin = len(v.pinned)
    wins = [() if p < npin else stops[i].time_windows for p, i in enumerate(route)]
    svc = [stops[i].service for i in route]
    locs = [v.start] + [stops[i].location for i in route]
    early = [v.shift[0]]
    for p in range(len(route)):
        prev = svc[p - 1] if p else 0
        early.append(earliest_start(wins[p], early[p] + prev + d[locs[p]][locs[p + 1]]))
    late = [0] * (len(route) + 1)
    back = 0 if v.end is None else d[locs[-1]][v.end]
    nxt = v.shift[1] - back - (svc[-1] if route else 0)
    for p in range(len(route), 0, -1):
        late[p] = _latest_start(wins[p - 1], nxt)
        prev = svc[p - 2] if p >= 2 else 0
        nxt = late[p] - d[locs[p - 1]][locs[p]] - prev
    late[0] = nxt
    return locs, early, late


def classify_dropped(
    problem: Problem,
    routes: Sequence[Sequence[int]],
    dropped: Sequence[int],
    eligible: dict[int, tuple[int, ...]],
) -> dict[int, Reason]:
    """Say why each modelled-but-dropped stop is off the plan.

    Parameters
    ----------
    problem
        The problem.
    routes
        Stop positions per vehicle, in the problem's vehicle order.
    dropped
        Stop positions left out by the search.
    eligible
        Output of :func:`precheck`.

    Returns
    -------
    dict
        Stop position to reason: ``not_worth_it`` if a break-free insertion into some route
        exists (optional stops), ``capacity`` if only load or ``max_stops`` prevents one,
        ``no_time_left`` otherwise.
    """
    stops, d = problem.stops, problem.durations
    info = []
    for k, v in enumerate(problem.vehicles):
        route = list(routes[k])
        locs, early, late = _route_times(problem, v, route)
        load = sum(stops[i].demand for i in route)
        info.append((route, locs, early, late, load))
    out: dict[int, Reason] = {}
    for i in dropped:
        s = stops[i]
        time_ok = fit_ok = False
        for k in eligible.get(i, ()):
            v = problem.vehicles[k]
            route, locs, early, late, load = info[k]
            for pos in range(len(v.pinned), len(route) + 1):
                service_prev = stops[route[pos - 1]].service if pos else 0
                arrive = early[pos] + service_prev + d[locs[pos]][s.location]
                t = earliest_start(s.time_windows, arrive)
                if t >= _INF:
                    continue
                after = t + s.service
                if pos < len(route):
                    nxt = stops[route[pos]]
                    arrive = after + d[s.location][nxt.location]
                    ok = earliest_start(nxt.time_windows, arrive) <= late[pos + 1]
                else:
                    back = 0 if v.end is None else d[s.location][v.end]
                    ok = after + back <= v.shift[1]
                if ok:
                    time_ok = True
                    cap = v.capacity is None or load + s.demand <= v.capacity
                    cnt = v.max_stops is None or len(route) + 1 <= v.max_stops
                    if cap and cnt:
                        fit_ok = True
                        break
            if fit_ok:
                break
        if fit_ok and not s.mandatory:
            out[i] = Reason.NOT_WORTH_IT
        elif time_ok and not fit_ok:
            out[i] = Reason.CAPACITY
        else:
            out[i] = Reason.NO_TIME_LEFT
    return out
