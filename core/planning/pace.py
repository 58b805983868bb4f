"""How long a visit takes a collector today: the door's service time plus the travel
between doors, measured on the day's own candidates with the plan's travel model.

The rolling horizon (how many visits each remaining day holds), the band windows (how
many visits a band holds) and the helpers (whose territory cannot fill the day) all
divide a working day by the time a visit takes. A fixed guess of the travel between
doors (:data:`core.planning.month.TRAVEL_PER_VISIT_S`, 5.5 minutes) booked ~32 visits
into days whose routes held ~28 on the demo county (7-8 minutes between doors, the
start and end legs included): the horizon committed to today more accounts than the
routes could take, discounted the rest against days that would not have room for them
either, and granted more band windows than the bands could hold.

So the travel per visit is measured on the collector's own candidates: the ``n`` best
by prize per second (the order :func:`core.planning.valuation.preselect` feeds the
solver), visited in nearest-neighbour order from the start of the day to its end, ``n``
being the visits the day holds at that pace (a fixed point reached in a few rounds from
the default). A nearest-neighbour tour is longer than the solver's; the solver in turn
takes some visits off the best ones' path for their prize: on the demo county the two
differ by a few per cent (``bench/MONTH_SIM.md``, issue 18 stop 3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from core.planning.month import TRAVEL_PER_VISIT_S, owner, visits_per_day
from core.planning.valuation import Candidate
from core.planning.vehicles import Vehicle
from geo.travel import GreatCircleProvider, MatrixProvider

#: Rounds of the fixed point (visits the day holds <-> travel per visit).
ROUNDS = 3
#: Bounds on the measured travel per visit, seconds: a day's first guess is never off by
#: more than this, whatever a handful of candidates say.
MIN_TRAVEL_S, MAX_TRAVEL_S = 60, 3600


def tour_seconds(seconds: np.ndarray, start: int, end: int, stops: Sequence[int]) -> int:
    """Seconds of a nearest-neighbour tour from ``start`` through ``stops`` to ``end``."""
    left = list(stops)
    at, total = start, 0
    while left:
        nxt = min(left, key=lambda j: (int(seconds[at, j]), j))
        total += int(seconds[at, nxt])
        left.remove(nxt)
        at = nxt
    return total + int(seconds[at, end])


def travel_per_visit(
    cands: Sequence[Candidate],
    vehicles: Sequence[Vehicle],
    service_s: int,
    provider: MatrixProvider,
) -> dict[int, int]:
    """Seconds of travel per visit for each planned collector, measured on a tour through
    the visits their day is likely to hold (module docstring); the default
    :data:`~core.planning.month.TRAVEL_PER_VISIT_S` for a collector with fewer than two
    candidates of their own."""
    mine: dict[int, list[Candidate]] = {}
    for c in cands:
        if c.allowed:
            mine.setdefault(owner(c), []).append(c)
    out: dict[int, int] = {}
    for v in vehicles:
        own = mine.get(v.collector.id, [])
        if len(own) < 2:
            out[v.collector.id] = TRAVEL_PER_VISIT_S
            continue
        points = [v.start, v.end, *(c.info.lonlat for c in own)]
        full = None
        if isinstance(provider, GreatCircleProvider):
            # Each cell is computed from its two points alone: the legs from the start
            # and to the end now, the square of the few the tours visit below.
            there = provider.seconds_between(points[:1], points, v.mode)[0]
            back = provider.seconds_between(points, points[1:2], v.mode)[:, 0]
        else:
            full = provider.matrix(points, v.mode).seconds
            there, back = full[0], full[:, 1]
        # The preselection's order: prize per second of service and the way there and back.
        cost = [
            c.service(service_s) + int(there[2 + i]) + int(back[2 + i]) for i, c in enumerate(own)
        ]
        ranked = sorted(range(len(own)), key=lambda i: (-own[i].prize / cost[i], own[i].info.id))
        # The tours visit the best ``n`` ranked, ``n`` at most what the day holds at the
        # shortest travel; kept in their order among ``points`` (the tours' ties break alike).
        most = max(2, min(len(own), visits_per_day(v, service_s, MIN_TRAVEL_S)))
        keep = [0, 1, *sorted(2 + i for i in ranked[:most])]
        if full is None:
            seconds = provider.matrix([points[k] for k in keep], v.mode).seconds
        else:
            seconds = full[np.ix_(keep, keep)]
        at = {k: j for j, k in enumerate(keep)}
        travel = TRAVEL_PER_VISIT_S
        for _ in range(ROUNDS):
            n = max(2, min(len(own), visits_per_day(v, service_s, travel)))
            measured = tour_seconds(seconds, 0, 1, [at[2 + i] for i in ranked[:n]]) // n
            measured = max(MIN_TRAVEL_S, min(MAX_TRAVEL_S, measured))
            if measured == travel:
                break
            travel = measured
        out[v.collector.id] = travel
    return out


def travel_of(pace: Mapping[int, int], collector_id: int) -> int:
    """The collector's travel per visit, the default when not measured."""
    return pace.get(collector_id, TRAVEL_PER_VISIT_S)
