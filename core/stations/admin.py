"""Creating, editing and closing stations. An admin sets a station up; its supervisor keeps
its working days, default shift and hall hours. A station is never deleted (it may hold
money): it is closed, and a closed station takes no new plans, accounts or imports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from geoalchemy2.elements import WKTElement
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.accounts.areas import checked_geojson, polygon_area
from core.errors import Invalid, NotAllowed
from core.models import County, Station
from core.scope import Scope, find_scoped, require_staff
from core.stations.open import require_open
from geo.coords import CoordSystem, to_wgs84

__all__ = ["close_station", "create_station", "list_stations", "update_station"]

#: What a station's own supervisor may change; the rest is the admin's.
SUPERVISOR_FIELDS = frozenset(
    {
        "working_days",
        "shift_start",
        "shift_end",
        "break_start",
        "break_minutes",
        "hall_opens",
        "hall_closes",
    }
)
_PLAIN = ("name", "service_radius_m", *sorted(SUPERVISOR_FIELDS))


def _county(session: Session, data: dict[str, Any]) -> County:
    code = data["county_code"]
    county = session.scalars(select(County).where(County.code == code)).one_or_none()
    if county is not None:
        return county
    if not data.get("county_name"):
        raise Invalid(
            {"county_name": [f"County {code!r} does not exist: give its name to create it."]}
        )
    county = County(code=code, name=data["county_name"])
    session.add(county)
    session.flush()
    return county


def _check_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid({"timezone": [f"Unknown time zone {name!r} (e.g. Asia/Shanghai)."]}) from None


def _depot(loc: dict[str, Any]) -> WKTElement:
    lon, lat = to_wgs84(loc["lon"], loc["lat"], loc.get("system", CoordSystem.WGS84))
    return WKTElement(f"POINT({lon!r} {lat!r})", srid=4326)


def _check_times(station: Station) -> None:
    """The shift, lunch and hall hours make sense together (after the changes)."""
    errors: dict[str | int, object] = {}
    if station.shift_end <= station.shift_start:
        errors["shift_end"] = ["The shift ends before it starts."]
    elif station.break_start is not None and not (
        station.shift_start <= station.break_start < station.shift_end
    ):
        errors["break_start"] = ["The lunch break starts outside the shift."]
    if (station.hall_opens is None) != (station.hall_closes is None):
        errors["hall_closes"] = ["Give both hall_opens and hall_closes, or neither."]
    elif (
        station.hall_opens is not None
        and station.hall_closes is not None
        and (station.hall_closes <= station.hall_opens)
    ):
        errors["hall_closes"] = ["The hall closes before it opens."]
    if errors:
        raise Invalid(errors)


def _set_area(session: Session, station: Station, area: Any, system: CoordSystem) -> None:
    if area is None:
        station.service_area = None
        return
    expr = polygon_area(session, checked_geojson(area, system))
    inside = session.scalar(select(func.ST_Covers(expr, station.depot)))
    if not inside:
        raise Invalid({"service_area": ["The depot must lie inside the service area."]})
    station.service_area = session.scalar(select(expr))


def _apply(session: Session, station: Station, data: dict[str, Any]) -> None:
    for key in _PLAIN:
        if key in data:
            setattr(station, key, data[key])
    if "working_days" in data:
        station.working_days = sorted(set(data["working_days"]))
    if "timezone" in data:
        _check_zone(data["timezone"])
        station.timezone = data["timezone"]
    if "depot" in data:
        station.depot = _depot(data["depot"])  # type: ignore[assignment]
    if "service_area" in data:
        system = data.get("system", CoordSystem.WGS84)
        try:
            _set_area(session, station, data["service_area"], system)
        except Invalid as exc:
            reason = exc.errors.get("area") or exc.errors.get("service_area")
            raise Invalid({"service_area": reason}) from None
    _check_times(station)


def _code_taken(session: Session, code: str) -> bool:
    return session.scalar(select(Station.id).where(Station.code == code)) is not None


def create_station(session: Session, scope: Scope, data: dict[str, Any]) -> Station:
    """A new station of a county (created with it when ``county_name`` is given)."""
    if not scope.is_admin:
        raise NotAllowed("Only admins create stations.")
    if _code_taken(session, data["code"]):
        raise Invalid({"code": [f"Station code {data['code']!r} is already used."]})
    county = _county(session, data)
    station = Station(
        county_id=county.id,
        code=data["code"],
        name=data["name"],
        depot=_depot(data["depot"]),
        timezone="Asia/Shanghai",
        service_radius_m=40_000,
        working_days=[1, 2, 3, 4, 5, 6, 7],
        shift_start=dt.time(8, 0),
        shift_end=dt.time(17, 30),
        break_start=dt.time(12, 0),
        break_minutes=60,
    )
    _apply(session, station, {k: v for k, v in data.items() if k not in ("depot", "code")})
    session.add(station)
    session.flush()
    return station


def update_station(
    session: Session, scope: Scope, station_id: int, data: dict[str, Any]
) -> Station:
    """Change a station: an admin anything but its code, its supervisor the daily settings."""
    require_staff(scope)
    station = find_scoped(session, Station, station_id, scope, "station")
    if not scope.is_admin:
        extra = sorted(set(data) - SUPERVISOR_FIELDS - {"system"})
        if extra:
            raise NotAllowed(f"Only admins change {', '.join(extra)}.")
    _apply(session, station, data)
    session.flush()
    return station


def close_station(session: Session, scope: Scope, station_id: int, now: dt.datetime) -> Station:
    """Close a station: its history and money stay, it takes no new work."""
    if not scope.is_admin:
        raise NotAllowed("Only admins close stations.")
    station = find_scoped(session, Station, station_id, scope, "station")
    require_open(station)
    station.closed_at = now
    session.flush()
    return station


def list_stations(session: Session, scope: Scope) -> Sequence[Station]:
    from core.scope import restrict

    return session.scalars(restrict(select(Station), Station, scope).order_by(Station.id)).all()
