"""Timing a fixed route (pure): waits, windows, the lunch break and the shift."""

from __future__ import annotations

import pytest

from core.planning.timing import StopTimes, VehicleTimes, time_route

H = 3600
DAY = VehicleTimes(shift=(8 * H, 17 * H))
LUNCH = VehicleTimes(shift=(8 * H, 17 * H), brk=(12 * H, 13 * H, H))


def test_visits_start_at_their_window_and_late_arrivals_are_flagged():
    """Early arrivals wait for the window; an arrival after the window is a violation
    counted in whole minutes."""
    stops = [StopTimes(600, (9 * H, 10 * H)), StopTimes(600, (8 * H, 9 * H))]
    route = time_route(DAY, stops, [600, 600, 600])
    first, second = route.stops
    assert (first.arrival, first.start, first.departure) == (8 * H + 600, 9 * H, 9 * H + 600)
    assert first.wait_s == 50 * 60 and first.violations == ()
    assert second.start == second.arrival == 9 * H + 1200
    ((v,),) = [second.violations]
    assert (v.kind, v.minutes) == ("time_window", 20)
    assert route.end == 9 * H + 2400 and route.travel_s == 1800 and route.violations == ()


def test_the_break_is_taken_before_a_visit_that_would_end_after_its_window():
    """A visit that cannot end by 13:00 waits for the lunch break first; no violation."""
    stops = [StopTimes(600), StopTimes(600, (14 * H, 15 * H))]
    route = time_route(LUNCH, stops, [600, 600, 600])
    assert route.break_start == 12 * H
    assert route.stops[1].arrival == 13 * H + 600 and route.stops[1].start == 14 * H
    assert all(not s.violations for s in route.stops) and route.violations == ()


def test_the_break_is_taken_once_its_window_opens():
    """Visits running into the lunch window: the break starts at the next departure."""
    stops = [StopTimes(600, (11 * H + 3300, 11 * H + 3300)), StopTimes(600)]
    route = time_route(LUNCH, stops, [0, 600, 0])
    assert route.stops[0].departure == 12 * H + 300
    assert route.break_start == 12 * H + 300
    assert route.stops[1].arrival == 13 * H + 900


def test_running_past_the_shift_is_flagged_on_the_stop_and_the_return():
    """A visit ending after the shift and a late return are both reported."""
    stops = [StopTimes(600, (16 * H + 3300, 16 * H + 3500))]
    route = time_route(DAY, stops, [600, 1200])
    assert [v.kind for v in route.stops[0].violations] == ["shift"]
    assert route.stops[0].violations[0].minutes == 5
    assert [(v.kind, v.minutes) for v in route.violations] == [("shift", 25)]


def test_a_break_that_cannot_start_in_its_window_is_flagged():
    """A day starting after the break window takes the break late and says so."""
    late = VehicleTimes(shift=(14 * H, 17 * H), brk=(12 * H, 13 * H, 1800))
    route = time_route(late, [StopTimes(600)], [600, 600])
    assert [(v.kind, v.minutes) for v in route.stops[0].violations] == [("break", 60)]


def test_legs_must_match_the_stops():
    """One travel time per stop plus the way back, or a ValueError."""
    with pytest.raises(ValueError):
        time_route(DAY, [StopTimes(600)], [600])
