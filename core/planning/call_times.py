"""What time to propose on a call ahead: the band in which the day's route passes nearest.

A customer asked "when will you be home tomorrow?" names the first time they think of,
most often the morning: the appointments scattered over the territory in the first
band, and the routes zigzagged to meet them. The route already knows when it will be in
each village, so the collector proposes that time ("we pass by your village between 10
and 12: will somebody be in?"): the band of the planned stop nearest the customer's house
on the collector's route (their own stop when they are on it). The answer then ties the
visit to a time the route was going to be near anyway. Rows of a collector with no
planned stop get no proposal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

import numpy as np

from core.planning.draft import PlannedRoute, PlannedStop
from core.planning.visit_value import BANDS, band_of
from geo.travel import haversine_m


def _band(stop: PlannedStop, tz: ZoneInfo) -> int:
    local = stop.eta.astimezone(tz)
    band = band_of(local.hour)
    if band is None:  # before the first band or after the last
        return 0 if local.hour < BANDS[0][0] else len(BANDS) - 1
    return band


def propose_times(
    calls: Mapping[int, Sequence[dict[str, object]]],
    routes: Sequence[PlannedRoute],
    where: Mapping[int, tuple[float, float]],
    tz: ZoneInfo,
) -> dict[int, list[dict[str, object]]]:
    """``calls`` (per collector, the call list's rows) with ``ask_from`` / ``ask_until``
    (station-local ``HH:MM``): the band of the collector's planned stop nearest each
    account (``where``: the accounts' points)."""
    by_collector = {r.collector_id: r for r in routes}
    out: dict[int, list[dict[str, object]]] = {}
    for collector, rows in calls.items():
        route = by_collector.get(collector)
        stops = [s for s in route.stops if s.lonlat is not None] if route else []
        if route is None or not stops:
            out[collector] = [dict(r) for r in rows]
            continue
        pts = np.asarray([s.lonlat for s in stops], dtype=np.float64)
        index = {s.account_id: k for k, s in enumerate(stops)}
        listed = []
        for row in rows:
            account = int(row["account_id"])  # type: ignore[call-overload]
            k = index.get(account)
            if k is None and account in where:
                here = np.asarray([where[account]], dtype=np.float64)
                k = int(np.argmin(haversine_m(here, pts)[0]))
            if k is None:
                listed.append(dict(row))
                continue
            start, end = BANDS[_band(stops[k], tz)]
            listed.append({**row, "ask_from": f"{start:02d}:00", "ask_until": f"{end - 1:02d}:59"})
        out[collector] = listed
    return out
