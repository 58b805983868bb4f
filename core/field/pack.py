"""The route pack as data: the published route with everything the phone needs offline.

Takes a ``Session`` and a ``Scope``; no Flask. A collector only ever gets their own
published route (anything else is ``None``: the API answers 404).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from geoalchemy2.shape import to_shape
from sqlalchemy.orm import Session

from core.field.route import FieldRoute, FieldStop, field_route, find_route
from core.models import Station
from core.money.cash import in_hand
from core.scope import Scope
from geo.coords import CoordSystem
from geo.navigation import amap_marker, convert, geo_uri

LonLat = tuple[float, float]
#: Fields of the body left out of the content hash (they change on every request).
VOLATILE = ("generated_at", "content_hash")


@dataclass(frozen=True)
class PackStop:
    stop: FieldStop
    #: The account's stored WGS-84 position.
    lonlat: LonLat
    #: The same point in the pack's coordinate system.
    position: LonLat
    amap: str
    geo: str


@dataclass(frozen=True)
class Pack:
    route: FieldRoute
    crs: CoordSystem
    stops: tuple[PackStop, ...]
    #: The route line in WGS-84 (start, stops, end), empty without stops.
    path: tuple[LonLat, ...]
    #: The same line in the pack's coordinate system.
    path_crs: tuple[LonLat, ...]
    cash_in_hand: Decimal | None
    generated_at: dt.datetime


def _point(geom: Any) -> LonLat:
    p = to_shape(geom)
    return float(p.x), float(p.y)


def _path(route: FieldRoute) -> tuple[LonLat, ...]:
    if route.path is None:
        return ()
    return tuple((float(x), float(y)) for x, y, *_ in to_shape(route.path).coords)


def station_today(session: Session, scope: Scope, default_tz: str) -> dt.date:
    """Today in the time zone of the caller's (first) station."""
    stations = sorted(scope.station_ids)
    station = session.get(Station, stations[0]) if stations else None
    return dt.datetime.now(ZoneInfo(station.timezone if station else default_tz)).date()


def cash_in_hand(session: Session, collector_id: int, day: dt.date, tz: ZoneInfo) -> Decimal:
    """The collector's field cash held, from the money package.

    ``core.money.cash.in_hand`` is moving from "at the end of ``day``" to "now"
    (uncommitted work in progress at the time of writing): accept either signature.
    """
    if "day" in inspect.signature(in_hand).parameters:
        return in_hand(session, collector_id, day, tz)  # type: ignore[call-arg, arg-type]
    return in_hand(session, collector_id, tz)


def build_pack(
    session: Session, scope: Scope, day: dt.date, crs: CoordSystem, now: dt.datetime
) -> Pack | None:
    """The caller's own published route of ``day`` as a pack, or None."""
    route = find_route(session, scope, scope.user_id, day)
    if route is None:
        return None
    fr = field_route(session, scope, route, day)
    station = session.get(Station, route.plan.station_id)
    cash = None
    if station is not None:
        cash = cash_in_hand(session, scope.user_id, day, ZoneInfo(station.timezone))
    stops = tuple(_stop(s, crs) for s in fr.stops)
    path = tuple(convert(p, CoordSystem.WGS84) for p in _path(fr))
    return Pack(fr, crs, stops, path, tuple(convert(p, crs) for p in path), cash, now)


def _stop(s: FieldStop, crs: CoordSystem) -> PackStop:
    lonlat = convert(_point(s.account.location), CoordSystem.WGS84)
    return PackStop(
        s, lonlat, convert(lonlat, crs), amap_marker(lonlat, s.account.name), geo_uri(lonlat)
    )


def content_hash(body: dict[str, Any]) -> str:
    """SHA-256 of the body's canonical JSON, without the fields that change every time."""
    content = {k: v for k, v in body.items() if k not in VOLATILE}
    raw = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()
