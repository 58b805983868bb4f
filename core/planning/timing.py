"""Timing a fixed route: ETAs, waits, the lunch break and what each stop violates.

Pure: no database, no Flask. Times are station-local seconds since midnight, like the
planner's. The route leaves its start at the beginning of the shift and serves each
stop as early as its window allows (the optimiser may leave later and wait less; the
visits' order and feasibility are what count here).

The break is taken before leaving a place, at ``max(now, window start)``, as soon as
either its window has opened or the next visit (or the return) would end after the
break window closes - the latest moment it can still be taken without interrupting a
visit. Taken after its window closes, it is a ``break`` violation on the next stop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

TIME_WINDOW = "time_window"
SHIFT = "shift"
BREAK = "break"


@dataclass(frozen=True)
class Violation:
    """One rule a timed stop or route breaks, and by how many minutes."""

    kind: str
    detail: str
    minutes: int


@dataclass(frozen=True)
class VehicleTimes:
    """A collector's day: shift and (at most one) break as ``(earliest, latest, duration)``."""

    shift: tuple[int, int]
    brk: tuple[int, int, int] | None = None


@dataclass(frozen=True)
class StopTimes:
    """What timing needs of a stop: service seconds and an optional start window."""

    service_s: int
    window: tuple[int, int] | None = None


@dataclass(frozen=True)
class TimedStop:
    arrival: int
    start: int
    departure: int
    violations: tuple[Violation, ...]

    @property
    def wait_s(self) -> int:
        return self.start - self.arrival


@dataclass(frozen=True)
class TimedRoute:
    start: int
    end: int
    travel_s: int
    break_start: int | None
    stops: tuple[TimedStop, ...]
    violations: tuple[Violation, ...]


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _minutes(seconds: int) -> int:
    return -(-seconds // 60)


def time_route(
    vehicle: VehicleTimes, stops: Sequence[StopTimes], legs: Sequence[int]
) -> TimedRoute:
    """Time ``stops`` in order; ``legs[i]`` is the travel into stop ``i``, the last one home.

    Raises
    ------
    ValueError
        If ``legs`` does not have one more entry than ``stops``.
    """
    if len(legs) != len(stops) + 1:
        raise ValueError("legs must hold one travel time per stop plus the way back")
    t = vehicle.shift[0]
    brk = vehicle.brk
    break_at: int | None = None
    timed: list[TimedStop] = []
    for s, leg in zip(stops, legs, strict=False):
        problems: list[Violation] = []
        if brk is not None and break_at is None:
            earliest = t + leg if s.window is None else max(t + leg, s.window[0])
            if t >= brk[0] or earliest + s.service_s > brk[1]:
                break_at = max(t, brk[0])
                t = break_at + brk[2]
                if break_at > brk[1]:
                    problems.append(_late_break(break_at, brk))
        arrival = t + leg
        start = arrival
        if s.window is not None:
            a, b = s.window
            start = max(arrival, a)
            if arrival > b:
                problems.append(
                    Violation(
                        TIME_WINDOW,
                        f"arrives {_clock(arrival)}, window {_clock(a)}-{_clock(b)}",
                        _minutes(arrival - b),
                    )
                )
        departure = start + s.service_s
        if departure > vehicle.shift[1]:
            problems.append(
                Violation(
                    SHIFT,
                    f"leaves {_clock(departure)}, shift ends {_clock(vehicle.shift[1])}",
                    _minutes(departure - vehicle.shift[1]),
                )
            )
        timed.append(TimedStop(arrival, start, departure, tuple(problems)))
        t = departure
    route_problems: list[Violation] = []
    back = legs[-1]
    if brk is not None and break_at is None:
        if t >= brk[0] or t + back > brk[1]:
            break_at = max(t, brk[0])
            t = break_at + brk[2]
            if break_at > brk[1]:
                route_problems.append(_late_break(break_at, brk))
        else:  # home before the break window closes: the break is taken there
            break_at = max(t + back, brk[0])
    end = t + back
    if end > vehicle.shift[1]:
        route_problems.append(
            Violation(
                SHIFT,
                f"back {_clock(end)}, shift ends {_clock(vehicle.shift[1])}",
                _minutes(end - vehicle.shift[1]),
            )
        )
    return TimedRoute(
        vehicle.shift[0], end, sum(legs), break_at, tuple(timed), tuple(route_problems)
    )


def _late_break(at: int, brk: tuple[int, int, int]) -> Violation:
    return Violation(
        BREAK,
        f"break starts {_clock(at)}, must start by {_clock(brk[1])}",
        _minutes(at - brk[1]),
    )
