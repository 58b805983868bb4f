"""A collector's day as the planner sets it up: start, end, shift and lunch break.

Times are station-local seconds since midnight, as ``routing`` takes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

import routing
from core.planning import candidates as cand
from core.planning.draft import PlanRequest
from core.planning.timing import VehicleTimes
from geo.modes import TravelMode

#: A collector's shift when their profile does not say.
DEFAULT_SHIFT = (dt.time(8, 0), dt.time(17, 30))
#: How late after its planned start a lunch break may begin, seconds.
BREAK_SLACK_S = 3600


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
    end = depot
    if prof is not None and prof.starts_at_home and c.home is not None:
        end = c.home
    start = req.start_at.get(c.id, end)
    breaks: tuple[routing.Break, ...] = ()
    if prof is not None and prof.break_start is not None and prof.break_minutes > 0:
        b0 = local_seconds(prof.break_start)
        b1 = min(b0 + BREAK_SLACK_S, shift[1] - prof.break_minutes * 60)
        if shift[0] <= b0 <= b1:
            breaks = (routing.Break((b0, b1), prof.break_minutes * 60),)
    return Vehicle(c, mode, start, end, shift, breaks)


@dataclass(frozen=True)
class VehicleSpec:
    """A collector's day as the planner sets it up."""

    collector_id: int
    mode: TravelMode
    start: tuple[float, float]
    end: tuple[float, float]
    times: VehicleTimes


def vehicle_specs(
    session: Session, station_id: int, day: dt.date, collector_ids: list[int]
) -> tuple[dict[int, VehicleSpec], ZoneInfo]:
    """Each active collector's start, end, shift and break; and the station's time zone."""
    _, depot, tz = cand.station_info(session, station_id)
    req = PlanRequest(station_id=station_id, plan_date=day)
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
