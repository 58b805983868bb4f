"""What the plan service knows, in the form route editing needs: vehicles and visit values.

The one module that reaches into :mod:`api.plans.service` internals (``vehicle_for``,
``value_candidates``), so the edited plan is timed and valued exactly as the planner does;
if the plan service grows public equivalents, only this module changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api.plan_edit.schedule import StopTimes, VehicleTimes
from api.plans import candidates as cand
from api.plans import service as plan_service
from api.plans.model import PlanRequest
from geo.models import TravelMode
from geo.visit_value import BANDS

#: Time at each door when a stop's explain does not say (the planner's default).
DEFAULT_SERVICE_S = PlanRequest(station_id=0, plan_date=dt.date(2000, 1, 1)).service_s


@dataclass(frozen=True)
class VehicleSpec:
    """A collector's day as the planner sets it up."""

    collector_id: int
    mode: TravelMode
    start: tuple[float, float]
    end: tuple[float, float]
    times: VehicleTimes


@dataclass(frozen=True)
class Valued:
    """An account with arrears on the plan day, valued as the planner values it."""

    account_id: int
    lonlat: tuple[float, float]
    allowed: frozenset[int]
    expected_value: Decimal
    prize_fen: int
    mandatory: bool
    explain: dict[str, object]


@dataclass(frozen=True)
class Valuation:
    """The station's accounts with arrears: valued candidates, and the ones no collector
    may visit with the planner's reason."""

    candidates: dict[int, Valued]
    excluded: dict[int, dict[str, object]]


def vehicles(
    session: Session, station_id: int, day: dt.date, collector_ids: list[int]
) -> tuple[dict[int, VehicleSpec], ZoneInfo]:
    """Each active collector's start, end, shift and break; and the station's time zone."""
    _, depot, tz = cand.station_info(session, station_id)
    req = PlanRequest(station_id=station_id, plan_date=day)
    out: dict[int, VehicleSpec] = {}
    for c in cand.station_collectors(session, station_id, collector_ids):
        v = plan_service.vehicle_for(c, depot, req)
        brk = None
        if v.breaks:
            b = v.breaks[0]
            brk = (b.window[0], b.window[1], b.duration)
        out[c.id] = VehicleSpec(c.id, v.mode, v.start, v.end, VehicleTimes(v.shift, brk))
    for cid in collector_ids:  # inactive since planning: the default day from the depot
        if cid not in out:
            shift = tuple(plan_service.local_seconds(t) for t in plan_service.DEFAULT_SHIFT)
            out[cid] = VehicleSpec(
                cid, TravelMode.MOTORBIKE, depot, depot, VehicleTimes((shift[0], shift[1]))
            )
    return out, tz


def valuation(
    session: Session, station_id: int, day: dt.date, collector_ids: set[int]
) -> Valuation:
    """Value every account with arrears on ``day`` as the planner would now."""
    req = PlanRequest(station_id=station_id, plan_date=day)
    station, _, _ = cand.station_info(session, station_id)
    cands, left, _, _ = plan_service.value_candidates(session, req, station.timezone, collector_ids)
    out = {
        c.info.id: Valued(
            account_id=c.info.id,
            lonlat=c.info.lonlat,
            allowed=frozenset(c.allowed),
            expected_value=c.value.expected_value,
            prize_fen=c.value.prize_fen,
            mandatory=c.mandatory,
            explain=c.explain(req.service_s),
        )
        for c in cands
    }
    return Valuation(out, {int(x["account_id"]): x for x in left})  # type: ignore[call-overload]


def stop_times(explain: dict[str, object]) -> StopTimes:
    """Service time and start window of a stop from its explain numbers (band ``"08-11"``)."""
    service = explain.get("service_s")
    service_s = service if isinstance(service, int) and service >= 0 else DEFAULT_SERVICE_S
    band = explain.get("band")
    if not isinstance(band, str) or "-" not in band:
        return StopTimes(service_s)
    a, b = (int(x) * 3600 for x in band.split("-", 1))
    if (a // 3600, b // 3600) not in BANDS:
        return StopTimes(service_s)
    return StopTimes(service_s, (a, max(a, b - service_s)))
