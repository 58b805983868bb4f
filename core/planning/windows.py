"""Band windows are scarce: each collector's band keeps only as many as its working time holds.

A visit is tied to a band (a hard time window) when the account is clearly more often
home then (:func:`core.planning.visit_value.visit_value`). Most accounts are best found
in the same band (12-14, at lunch), which is also when the collector eats: the
collector's working time in a band (shift and break taken off) holds only so many
visits. Beyond that the windows cannot all be honoured, and each one the routes cannot
fit is a visit lost for the day although it is worth its day-long odds at any other
time; the few that fit pull the routes across the territory to meet them. So the
windows of each collector's band go first to the visits already promised to it (a
promise's band, a call's appointment), then to the visits that gain most from the band
(prize in the band minus prize at any time), while the band's working time lasts (a
visit takes its service time plus the collector's travel per visit, ``core.planning.pace``); the
others are valued at the day's mean P(home) and may be visited at any time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from core.planning.month import owner
from core.planning.pace import travel_of
from core.planning.valuation import Candidate
from core.planning.vehicles import Vehicle
from core.planning.visit_value import BANDS, band_of


def band_seconds(v: Vehicle, band: int) -> int:
    """The collector's working seconds in ``band``: the band within the shift, less the
    part of each break that falls in it wherever the break starts within its window."""
    lo = max(BANDS[band][0] * 3600, v.shift[0])
    hi = min(BANDS[band][1] * 3600, v.shift[1])
    work = max(0, hi - lo)
    for b in v.breaks:
        work -= min(_overlap(s, s + b.duration, lo, hi) for s in b.window)
    return max(0, work)


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _fixed_band(c: Candidate) -> int | None:
    """The band a promise or a call ties the visit to (it keeps its window), else None."""
    if c.value.window is not None:
        return band_of(c.value.window[0] // 3600)
    if c.mandatory:
        return c.value.band
    return None


def window_gain(c: Candidate) -> float:
    """Fen the band adds to the visit's prize over a visit at any time of the day."""
    loose = c.value.without_band()
    return (c.value.prize_fen - loose.prize_fen) * c.priority.factor * c.today


def ration_windows(
    cands: Sequence[Candidate],
    vehicles: Sequence[Vehicle],
    service_s: int,
    pace: Mapping[int, int] | None = None,
) -> list[Candidate]:
    """``cands`` with the band windows each collector's bands cannot hold taken off (their
    visits valued at the day's mean P(home), at any time); ``pace``: each collector's
    travel per visit."""
    pace = pace or {}
    by_collector = {v.collector.id: v for v in vehicles}
    used: dict[tuple[int, int], int] = {}
    flexible: dict[tuple[int, int], list[int]] = {}
    for i, c in enumerate(cands):
        if not c.allowed or owner(c) not in by_collector:
            continue
        cost = c.service(service_s) + travel_of(pace, owner(c))
        fixed = _fixed_band(c)
        if fixed is not None:
            key = (owner(c), fixed)
            used[key] = used.get(key, 0) + cost
        elif c.value.band is not None:
            flexible.setdefault((owner(c), c.value.band), []).append(i)
    out = list(cands)
    for (collector, band), idx in flexible.items():
        room = band_seconds(by_collector[collector], band) - used.get((collector, band), 0)
        idx.sort(key=lambda i: (-window_gain(cands[i]), cands[i].info.id))
        for i in idx:
            cost = cands[i].service(service_s) + travel_of(pace, collector)
            if cost <= room:
                room -= cost
            else:
                out[i] = replace(cands[i], value=cands[i].value.without_band())
    return out
