"""Time arithmetic around fixed breaks (``routing._timeline``)."""

from __future__ import annotations

from routing._timeline import INF, arrive, depart_by, start_after, start_by

LUNCH = [(100, 160)]


def test_a_break_pauses_travel() -> None:
    """Leaving at 90 for 30 s: 10 s before the break, 60 s of rest, 20 s after."""
    assert arrive(90, 30, LUNCH) == 180
    assert arrive(0, 30, LUNCH) == 30
    assert arrive(120, 30, LUNCH) == 190  # leaving during the break waits for its end
    assert arrive(200, 30, LUNCH) == 230


def test_latest_departure_is_the_inverse_of_arrival() -> None:
    """The latest departure arriving by ``t`` arrives exactly at ``t``."""
    for t in (50, 110, 170, 180, 300):
        leave = depart_by(t, 30, LUNCH)
        assert arrive(leave, 30, LUNCH) <= t
        assert arrive(leave + 1, 30, LUNCH) > t


def test_a_visit_never_overlaps_a_break() -> None:
    """A 20 s visit starts before 80 or from 160, within its windows."""
    assert start_after((), 20, 70, LUNCH) == 70
    assert start_after((), 20, 90, LUNCH) == 160
    assert start_after(((90, 120),), 20, 0, LUNCH) == INF
    assert start_after(((90, 120), (150, 400)), 20, 0, LUNCH) == 160
    assert start_by((), 20, 150, LUNCH) == 80
    assert start_by(((90, 120),), 20, 400, LUNCH) < 0
    assert start_by(((0, 50), (90, 120)), 20, 400, LUNCH) == 50
