"""Why a stop is not on a route: cheap checks before solving, classification after.

The pre-checks only use necessary conditions (a stop alone on a vehicle's day, breaks
placed wherever their windows allow), so a stop is only filtered out when it is impossible
for certain. The classification after solving is in ``routing._classify``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from routing._timeline import earliest_start
from routing.problem import Problem, Stop, Vehicle, stop_index

__all__ = ["Prefix", "Reason", "earliest_start", "free_after_pins", "precheck"]

#: Above this many breaks per vehicle the pre-check ignores them (2^n placements tried).
_MAX_BREAKS = 4


class Reason(StrEnum):
    """Why a stop is unassigned (the ``unassigned[].reason`` values of the JSON)."""

    #: No vehicle has the skills and is in the stop's allowed list.
    NO_ELIGIBLE_VEHICLE = "no_eligible_vehicle"
    #: Its demand (or one more stop) does not fit any eligible vehicle; after solving: a
    #: route could take it in time, but not its load or one more stop.
    CAPACITY = "capacity"
    #: No time window meets any eligible vehicle's shift.
    OUTSIDE_TIME_WINDOWS = "outside_time_windows"
    #: Its windows meet a shift only where a break must be taken (e.g. a window inside
    #: the only possible lunch hour) for every eligible vehicle.
    DURING_BREAK = "during_break"
    #: No eligible vehicle can reach it in a window and get back within its shift,
    #: counting the breaks it must take on the way.
    UNREACHABLE_IN_SHIFT = "unreachable_in_shift"
    #: Its prize is below the detour cost both at its cheapest feasible place in the
    #: planned routes and on its own (a vehicle's empty day): it would never pay.
    NOT_WORTH_IT = "not_worth_it"
    #: It pays on its own and an eligible vehicle could serve it alone, but no planned
    #: route has room for it at a price it pays (the day is full of better visits).
    NO_ROOM = "no_room"
    #: It fits in a planned route and would pay, but the search did not add it: it was
    #: not among the candidates modelled on a big day, or the time limit came first.
    SEARCH_LIMIT = "search_limit"


@dataclass(frozen=True)
class Prefix:
    """Where and when a vehicle is free after its pinned stops, and what they used."""

    location: int
    time: int
    load: int
    count: int


def free_after_pins(problem: Problem, v: Vehicle, index: dict[str, int]) -> Prefix:
    """Where and when ``v`` is free after its pinned stops (breaks not counted)."""
    loc, t, load = v.start, v.shift[0], 0
    for sid in v.pinned:
        s = problem.stops[index[sid]]
        t += problem.durations[loc][s.location] + s.service
        load += s.demand
        loc = s.location
    return Prefix(loc, t, load, len(v.pinned))


def _skills_ok(s: Stop, v: Vehicle) -> bool:
    return s.skills <= v.skills and (s.vehicles is None or v.id in s.vehicles)


def _fits(s: Stop, v: Vehicle, pre: Prefix) -> bool:
    if v.capacity is not None and pre.load + s.demand > v.capacity:
        return False
    return v.max_stops is None or pre.count + 1 <= v.max_stops


def _some_start(s: Stop, lo: int, hi: int, blocked: Sequence[tuple[int, int]] = ()) -> bool:
    """Whether a start in ``[lo, hi]`` lies in a window and in no open interval ``blocked``."""
    for a, b in s.time_windows or ((lo, hi),):
        t, top = max(a, lo), min(b, hi)
        moved = True
        while moved and t <= top:
            moved = False
            for left, right in blocked:
                if left < t < right:
                    t, moved = right, True
        if t <= top:
            return True
    return False


def _windows_meet_shift(s: Stop, v: Vehicle) -> bool:
    return _some_start(s, v.shift[0], v.shift[1] - s.service)


def _windows_clear_of_breaks(s: Stop, v: Vehicle) -> bool:
    """Some start avoids every break, each placed anywhere in its window (travel ignored).

    Break ``b`` taken before the visit ends by its start only if the start is at least
    ``earliest + duration``; taken after, the visit must end by ``latest``: starts in
    between are impossible.
    """
    blocked = [(b.window[1] - s.service, b.window[0] + b.duration) for b in v.breaks]
    return _some_start(s, v.shift[0], v.shift[1] - s.service, blocked)


def _reachable(problem: Problem, s: Stop, v: Vehicle, pre: Prefix) -> bool:
    """Alone on the vehicle's day: reach it in a window, serve it, get back, take breaks.

    Each break is placed before the visit (its duration adds to the trip out, unless a
    pinned prefix may already hold it) or after it: once back at the end, or on the way
    back (its duration adds to the trip back). Exact for one break and no pinned stops.
    """
    out = problem.durations[pre.location][s.location]
    back = 0 if v.end is None else problem.durations[s.location][v.end]
    breaks = v.breaks if len(v.breaks) <= _MAX_BREAKS else ()
    for before in itertools.product((True, False), repeat=len(breaks)):
        lo, hi = pre.time + out, v.shift[1] - back - s.service
        for b, first in zip(breaks, before, strict=True):
            if first:
                lo = max(lo + (0 if v.pinned else b.duration), b.window[0] + b.duration)
            else:  # after arriving at the end, or on the way back (adding to the trip)
                latest = b.window[1] - s.service
                rest = v.shift[1] - back - s.service - b.duration
                hi = min(hi, max(latest - back, min(latest, rest)))
        if _some_start(s, lo, hi):
            return True
    return False


def _candidates(
    problem: Problem, s: Stop, prefixes: Sequence[Prefix]
) -> tuple[tuple[int, ...], Reason | None]:
    """The vehicles that could serve ``s`` alone, or the reason none can (tests in order)."""
    vehicles = problem.vehicles
    tests: tuple[tuple[Reason, Callable[[int], bool]], ...] = (
        (Reason.NO_ELIGIBLE_VEHICLE, lambda k: _skills_ok(s, vehicles[k])),
        (Reason.CAPACITY, lambda k: _fits(s, vehicles[k], prefixes[k])),
        (Reason.OUTSIDE_TIME_WINDOWS, lambda k: _windows_meet_shift(s, vehicles[k])),
        (Reason.DURING_BREAK, lambda k: _windows_clear_of_breaks(s, vehicles[k])),
        (Reason.UNREACHABLE_IN_SHIFT, lambda k: _reachable(problem, s, vehicles[k], prefixes[k])),
    )
    cands = list(range(len(vehicles)))
    for reason, keep in tests:
        cands = [k for k in cands if keep(k)]
        if not cands:
            return (), reason
    return tuple(cands), None


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
    prefixes = [free_after_pins(problem, v, index) for v in problem.vehicles]
    pinned = {index[sid]: k for k, v in enumerate(problem.vehicles) for sid in v.pinned}
    eligible: dict[int, tuple[int, ...]] = {}
    rejected: dict[int, Reason] = {}
    for i, s in enumerate(problem.stops):
        if i in pinned:
            eligible[i] = (pinned[i],)
            continue
        cands, reason = _candidates(problem, s, prefixes)
        if reason is None:
            eligible[i] = cands
        else:
            rejected[i] = reason
    return eligible, rejected
