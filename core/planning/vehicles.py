"""A collector's day as the planner sets it up: start, end, shift and lunch break.

Times are station-local seconds since midnight, as ``routing`` takes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import routing
from core.models import Visit
from core.planning import candidates as cand
from core.planning.draft import PlanRequest
from core.planning.timing import VehicleTimes
from geo.modes import TravelMode

#: A collector's shift when their profile does not say.
DEFAULT_SHIFT = (dt.time(8, 0), dt.time(17, 30))
#: How late after its planned start a lunch break may begin, seconds.
BREAK_SLACK_S = 3600
#: A plan for the current day starts this long after it is made (``PLAN_SAME_DAY_LEAD_S``):
#: the collector reads the route and gets going.
SAME_DAY_LEAD_S = 15 * 60


def local_seconds(t: dt.time) -> int:
    """Seconds since the local midnight."""
    return t.hour * 3600 + t.minute * 60 + t.second


def local_instant(day: dt.date, seconds: int, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant of ``seconds`` after the local midnight of ``day``."""
    wall = dt.datetime.combine(day, dt.time(0), tzinfo=tz) + dt.timedelta(seconds=seconds)
    return wall.astimezone(dt.UTC)


@dataclass(frozen=True)
class Vehicle:
    collector: cand.Collector
    mode: TravelMode
    start: tuple[float, float]
    end: tuple[float, float]
    shift: tuple[int, int]
    breaks: tuple[routing.Break, ...]
    #: The collector's day cap on stops (profile), None for no cap.
    max_stops: int | None = None

    @property
    def vid(self) -> str:
        return f"c{self.collector.id}"


def vehicle_for(c: cand.Collector, depot: tuple[float, float], req: PlanRequest) -> Vehicle:
    prof = c.profile
    mode = prof.travel_mode if prof else TravelMode.MOTORBIKE
    start_t, end_t = (prof.shift_start, prof.shift_end) if prof else DEFAULT_SHIFT
    shift = (local_seconds(start_t), local_seconds(end_t))
    if c.id in req.start_time:
        shift = (max(shift[0], min(req.start_time[c.id], shift[1])), shift[1])
    home = c.home if prof is not None else None
    starts_home = home is not None and prof is not None and prof.starts_at_home
    ends_home = home is not None and prof is not None and (
        prof.starts_at_home if prof.ends_at_home is None else prof.ends_at_home
    )
    end = home if ends_home and home is not None else depot
    start = req.start_at.get(c.id, home if starts_home and home is not None else depot)
    breaks: tuple[routing.Break, ...] = ()
    if prof is not None and prof.break_start is not None and prof.break_minutes > 0:
        b0 = local_seconds(prof.break_start)
        b1 = min(b0 + BREAK_SLACK_S, shift[1] - prof.break_minutes * 60)
        if shift[0] <= b0 <= b1:
            breaks = (routing.Break((b0, b1), prof.break_minutes * 60),)
    return Vehicle(c, mode, start, end, shift, breaks, prof.day_cap if prof else None)


@dataclass(frozen=True)
class VehicleSpec:
    """A collector's day as the planner sets it up."""

    collector_id: int
    mode: TravelMode
    start: tuple[float, float]
    end: tuple[float, float]
    times: VehicleTimes


def last_positions(
    session: Session, collector_ids: list[int], day: dt.date, tz: ZoneInfo, now: dt.datetime
) -> dict[int, tuple[float, float]]:
    """Where each collector was last seen on local ``day`` before ``now``: the GNSS fix of
    their latest visit with one (collectors without a fix today are not listed)."""
    if not collector_ids:
        return {}
    stmt = (
        select(Visit.collector_id, func.ST_X(Visit.fix), func.ST_Y(Visit.fix))
        .where(
            Visit.collector_id.in_(collector_ids),
            Visit.fix.is_not(None),
            Visit.device_time >= local_instant(day, 0, tz),
            Visit.device_time <= now,
        )
        .order_by(Visit.collector_id, Visit.device_time.desc())
    )
    seen: dict[int, tuple[float, float]] = {}
    for c, x, y in session.execute(stmt):  # a day's visits: the first row per collector
        seen.setdefault(c, (float(x), float(y)))
    return seen


def same_day_start(
    session: Session, req: PlanRequest, now: dt.datetime, lead_s: int = SAME_DAY_LEAD_S
) -> tuple[PlanRequest, dict[str, dict[str, Any]]]:
    """``req`` for the station's current day starts every route ``lead_s`` after ``now``,
    from each collector's last known position (else home or the depot as usual).

    Returns the request and, per collector id, ``{"at": "HH:MM", "from": [lon, lat] or
    None}`` for the plan's summary (the plan check times the routes from it); another
    day's request comes back unchanged with ``{}``.
    """
    _, _, tz = cand.station_info(session, req.station_id)
    local = now.astimezone(tz)
    if local.date() != req.plan_date:
        return req, {}
    start_s = min(local_seconds(local.time()) + lead_s, 24 * 3600 - 1)
    ids = [
        c.id
        for c in cand.station_collectors(
            session, req.station_id, list(req.collector_ids) if req.collector_ids else None
        )
    ]
    seen = last_positions(session, ids, req.plan_date, tz, now)
    starts = {
        str(c): {
            "at": f"{start_s // 3600:02d}:{start_s % 3600 // 60:02d}",
            "from": list(seen[c]) if c in seen else None,
        }
        for c in ids
    }
    return (
        replace(
            req,
            start_time={**{c: start_s for c in ids}, **req.start_time},
            start_at={**seen, **req.start_at},
        ),
        starts,
    )


def _starts_request(station_id: int, day: dt.date, starts: dict[str, Any] | None) -> PlanRequest:
    """The request whose vehicles start as a plan's ``same_day_start`` says."""
    start_time: dict[int, int] = {}
    start_at: dict[int, tuple[float, float]] = {}
    for cid, start in (starts or {}).items():
        hours, minutes = (int(x) for x in str(start["at"]).split(":"))
        start_time[int(cid)] = hours * 3600 + minutes * 60
        if start.get("from"):
            start_at[int(cid)] = (float(start["from"][0]), float(start["from"][1]))
    return PlanRequest(station_id, day, start_time=start_time, start_at=start_at)


def vehicle_specs(
    session: Session,
    station_id: int,
    day: dt.date,
    collector_ids: list[int],
    starts: dict[str, Any] | None = None,
) -> tuple[dict[int, VehicleSpec], ZoneInfo]:
    """Each active collector's start, end, shift and break; and the station's time zone.

    ``starts``: a same-day plan's ``summary["same_day_start"]`` (routes start then, there).
    """
    _, depot, tz = cand.station_info(session, station_id)
    req = _starts_request(station_id, day, starts)
    out: dict[int, VehicleSpec] = {}
    for c in cand.station_collectors(session, station_id, collector_ids):
        v = vehicle_for(c, depot, req)
        brk = None
        if v.breaks:
            b = v.breaks[0]
            brk = (b.window[0], b.window[1], b.duration)
        out[c.id] = VehicleSpec(c.id, v.mode, v.start, v.end, VehicleTimes(v.shift, brk))
    for cid in collector_ids:  # inactive since planning: the default day from the depot
        if cid not in out:
            shift = tuple(local_seconds(t) for t in DEFAULT_SHIFT)
            out[cid] = VehicleSpec(
                cid, TravelMode.MOTORBIKE, depot, depot, VehicleTimes((shift[0], shift[1]))
            )
    return out, tz
