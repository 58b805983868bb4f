"""Each reason for an unassigned stop, pinned on small hand-made days (no search)."""

from __future__ import annotations

import pytest

from routing import Break, Problem, Reason, Stop, Vehicle
from routing._classify import classify_dropped
from routing.reasons import precheck

H = 3600
#: Station 0; location 1 is 10 minutes away, location 2 is 40 minutes away.
MATRIX = [[0, 600, 2400], [600, 0, 2400], [2400, 2400, 0]]
DAY = (8 * H, 17 * H)
LUNCH_AT_NOON = Break((12 * H, 12 * H), H)


def _vehicle(vid: str = "v", **kw: object) -> Vehicle:
    base: dict[str, object] = {"id": vid, "start": 0, "end": 0, "shift": DAY}
    base.update(kw)
    return Vehicle(**base)  # type: ignore[arg-type]


def _precheck(stop: Stop, *fleet: Vehicle) -> tuple[dict[int, tuple[int, ...]], dict[int, Reason]]:
    return precheck(Problem(MATRIX, fleet or (_vehicle(),), (stop,)))


@pytest.mark.parametrize(
    ("stop", "vehicle", "reason"),
    [
        (Stop("x", 1, skills=frozenset({"meter"})), {}, Reason.NO_ELIGIBLE_VEHICLE),
        (Stop("x", 1, vehicles=frozenset()), {}, Reason.NO_ELIGIBLE_VEHICLE),
        (Stop("x", 1, demand=2), {"capacity": 1}, Reason.CAPACITY),
        (Stop("x", 1, time_windows=((18 * H, 19 * H),)), {}, Reason.OUTSIDE_TIME_WINDOWS),
        # Inside the only possible lunch hour: whatever the travel, it cannot be served.
        (
            Stop("x", 1, 600, ((12 * H, 12 * H + 1800),)),
            {"breaks": (LUNCH_AT_NOON,)},
            Reason.DURING_BREAK,
        ),
        (Stop("x", 2, 600, ((17 * H - 1200, 17 * H),)), {}, Reason.UNREACHABLE_IN_SHIFT),
    ],
)
def test_precheck_names_why_nobody_can_serve_the_stop(
    stop: Stop, vehicle: dict[str, object], reason: Reason
) -> None:
    """Skills, allowed vehicles, capacity, windows, breaks and the shift, in this order."""
    assert _precheck(stop, _vehicle(**vehicle)) == ({}, {0: reason})


def test_a_break_only_excludes_the_vehicles_that_take_it() -> None:
    """The window in one collector's lunch hour is still served by the other."""
    stop = Stop("x", 1, 600, ((12 * H, 12 * H + 1800),))
    eligible, rejected = _precheck(stop, _vehicle("a", breaks=(LUNCH_AT_NOON,)), _vehicle("b"))
    assert eligible == {0: (1,)} and rejected == {}


def test_unreachable_counts_the_break_the_trip_must_hold() -> None:
    """A 2 h shift with a 1 h lunch leaves no time for 80 minutes of travel and a visit.

    Without the lunch the same stop is reachable (08:40-08:50 there, back at 09:30).
    """
    short = (8 * H, 10 * H)
    stop = Stop("x", 2, 600)
    lunch = Break((8 * H, 9 * H), H)
    assert _precheck(stop, _vehicle(shift=short)) == ({0: (0,)}, {})
    assert _precheck(stop, _vehicle(shift=short, breaks=(lunch,))) == (
        {},
        {0: Reason.UNREACHABLE_IN_SHIFT},
    )


def test_a_break_with_room_before_or_after_the_visit_excludes_nothing() -> None:
    """A lunch that can be taken before or after the visit leaves the stop eligible."""
    lunch = Break((12 * H, 13 * H), H)
    stop = Stop("x", 1, 600, ((12 * H + 600, 12 * H + 3000),))
    assert _precheck(stop, _vehicle(breaks=(lunch,))) == ({0: (0,)}, {})


def _classify(
    stops: tuple[Stop, ...],
    routes: list[list[int]],
    vehicle: Vehicle | None = None,
    breaks: tuple[tuple[int, int], ...] = (),
) -> dict[str, Reason]:
    problem = Problem(MATRIX, (vehicle or _vehicle(),), stops)
    eligible, rejected = precheck(problem)
    assert rejected == {}
    routed = {i for r in routes for i in r}
    dropped = [i for i in eligible if i not in routed]
    out = classify_dropped(problem, routes, dropped, eligible, [breaks])
    return {problem.stops[i].id: reason for i, reason in out.items()}


#: A visit filling the whole day (08:10-16:50, 10 minutes from the station).
FULL = Stop("full", 1, 8 * H + 40 * 60, ((8 * H + 600, 8 * H + 600),))


def test_a_paying_stop_that_fits_is_a_search_limit() -> None:
    """It fits in the planned route and its prize beats the detour: the search stopped."""
    got = _classify((Stop("a", 1, 600, prize=50_000), Stop("x", 2, 600, prize=10_000)), [[0]])
    assert got == {"x": Reason.SEARCH_LIMIT}


def test_not_worth_it_means_the_detour_exceeds_the_prize_everywhere() -> None:
    """4,800 s of detour (in the route or alone) for a prize of 4,000: never worth it."""
    got = _classify((Stop("a", 1, 600, prize=50_000), Stop("x", 2, 600, prize=4_000)), [[0]])
    assert got == {"x": Reason.NOT_WORTH_IT}


def test_a_full_day_leaves_a_paying_stop_without_room() -> None:
    """Worth its detour alone, servable alone, but the route has no time left: no room."""
    got = _classify((FULL, Stop("x", 2, 600, prize=10_000)), [[0]])
    assert got == {"x": Reason.NO_ROOM}


def test_a_full_day_leaves_an_unprofitable_stop_not_worth_it() -> None:
    """With no room either, a stop that would not pay even alone stays ``not_worth_it``."""
    got = _classify((FULL, Stop("x", 2, 600, prize=4_000)), [[0]])
    assert got == {"x": Reason.NOT_WORTH_IT}


def test_a_mandatory_stop_is_never_not_worth_it() -> None:
    """Mandatory: left out with room means the search stopped, without room no room."""
    assert _classify((Stop("a", 1, 600), Stop("x", 2, 600)), [[0]]) == {"x": Reason.SEARCH_LIMIT}
    assert _classify((FULL, Stop("x", 2, 600)), [[0]]) == {"x": Reason.NO_ROOM}


def test_load_blocking_a_paying_insertion_is_capacity() -> None:
    """Time allows it and it pays, but the route's load is full."""
    stops = (Stop("a", 1, 600, demand=1, prize=50_000), Stop("x", 1, 600, demand=1, prize=9_000))
    assert _classify(stops, [[0]], _vehicle(capacity=1)) == {"x": Reason.CAPACITY}


def test_the_planned_break_blocks_an_insertion() -> None:
    """The plan's lunch at 12:00-13:00 covers the stop's window: no room, not a miss.

    Ignoring the break, the stop would fit after ``a`` and pay (``search_limit``).
    """
    lunch = Break((12 * H, 13 * H), H)
    stops = (
        Stop("a", 1, 600, ((11 * H, 11 * H),), prize=50_000),
        Stop("x", 1, 600, ((12 * H + 600, 12 * H + 1800),), prize=9_000),
    )
    vehicle = _vehicle(breaks=(lunch,))
    assert _classify(stops, [[0]], vehicle, breaks=((12 * H, H),)) == {"x": Reason.NO_ROOM}
    assert _classify(stops, [[0]], vehicle, breaks=((13 * H, H),)) == {"x": Reason.SEARCH_LIMIT}
