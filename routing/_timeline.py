"""Time arithmetic around breaks fixed in time, for testing insertions into a planned route.

A break ``(start, end)`` pauses travel (the collector rests on the way or while waiting) and
never overlaps a visit, as OR-Tools and ``routing.check`` have it. All functions are exact
for breaks fixed where the plan took them: a test that passes here is feasible in the plan.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "INF",
    "arrive",
    "depart_by",
    "earliest_start",
    "latest_start",
    "start_after",
    "start_by",
]

#: "Never": larger than any time of a problem.
INF = 1 << 62

Breaks = Sequence[tuple[int, int]]


def earliest_start(windows: Sequence[tuple[int, int]], t: int) -> int:
    """Earliest start of service at or after ``t`` inside ``windows`` (``INF`` if none)."""
    if not windows:
        return t
    for a, b in windows:
        if t <= b:
            return max(a, t)
    return INF


def latest_start(windows: Sequence[tuple[int, int]], t: int) -> int:
    """Latest start of service at or before ``t`` inside ``windows`` (``-1`` if none)."""
    if not windows:
        return t
    for a, b in reversed(windows):
        if a <= t:
            return min(b, t)
    return -1


def arrive(t: int, travel: int, breaks: Breaks) -> int:
    """Earliest arrival when leaving at ``t`` for ``travel`` seconds; breaks pause travel."""
    for start, end in breaks:  # sorted by start
        if end <= t:
            continue
        if t + travel <= start:
            break
        travel -= max(0, start - t)
        t = end
    return t + travel


def depart_by(t: int, travel: int, breaks: Breaks) -> int:
    """Latest departure that arrives by ``t`` after ``travel`` seconds; breaks pause travel."""
    for start, end in reversed(breaks):
        if start >= t:
            continue
        if t - travel >= end:
            break
        travel -= max(0, t - end)
        t = start
    return t - travel


def start_after(windows: Sequence[tuple[int, int]], service: int, t: int, breaks: Breaks) -> int:
    """Earliest start at or after ``t`` in ``windows`` whose visit avoids the breaks."""
    s = earliest_start(windows, t)
    moved = True
    while moved and s < INF:
        moved = False
        for start, end in breaks:
            if s < end and s + service > start:
                s, moved = earliest_start(windows, end), True
                break
    return s


def start_by(windows: Sequence[tuple[int, int]], service: int, t: int, breaks: Breaks) -> int:
    """Latest start at or before ``t`` in ``windows`` whose visit avoids the breaks."""
    s = latest_start(windows, t)
    moved = True
    while moved and s >= 0:
        moved = False
        for start, end in reversed(breaks):
            if s < end and s + service > start:
                s, moved = latest_start(windows, start - service), True
                break
    return s
