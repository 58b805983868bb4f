"""Territory geometry: strict GeoJSON intake, PostGIS validity, overlaps, account recomputation.

Invalid polygons are refused with the reason PostGIS gives; nothing is ever
silently repaired (no ``ST_MakeValid``). Functions take a Session; no Flask.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import ColumnElement, cast, func, select, update
from sqlalchemy.orm import Session

from geo.coords import CoordSystem, to_wgs84
from geo.failures import InvalidInput
from geo.models import Account, Territory

__all__ = [
    "MAX_VERTICES",
    "Overlap",
    "area_from_geojson",
    "covering_territory",
    "overlaps",
    "recompute_account_territories",
    "validate_geojson",
]

MAX_VERTICES = 5_000
_TYPES = {"Polygon": 1, "MultiPolygon": 2}  # nesting depth above rings


def _fail(message: str, field: str = "area") -> InvalidInput:
    return InvalidInput({field: [message]})


def _position(pos: Any, where: str, system: CoordSystem) -> list[float]:
    if not isinstance(pos, list) or len(pos) not in (2, 3):
        raise _fail(f"{where}: a position is [lon, lat].")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos):
        raise _fail(f"{where}: coordinates must be numbers.")
    lon, lat = float(pos[0]), float(pos[1])
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise _fail(f"{where}: coordinates must be finite.")
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise _fail(f"{where}: lon must be within [-180, 180] and lat within [-90, 90].")
    return list(to_wgs84(lon, lat, system))


def _ring(ring: Any, where: str, system: CoordSystem) -> list[list[float]]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise _fail(f"{where}: a linear ring has at least four positions.")
    if ring[0] != ring[-1]:
        raise _fail(f"{where}: the ring is not closed (first and last positions differ).")
    return [_position(p, f"{where} position {i}", system) for i, p in enumerate(ring)]


def validate_geojson(
    obj: Any, system: CoordSystem | str = CoordSystem.WGS84, max_vertices: int = MAX_VERTICES
) -> dict[str, Any]:
    """A checked RFC 7946 Polygon/MultiPolygon, converted to WGS-84 (structure only)."""
    system = CoordSystem(system)
    if not isinstance(obj, dict):
        raise _fail("A GeoJSON Polygon or MultiPolygon object is expected.")
    if "crs" in obj:
        raise _fail("GeoJSON 'crs' members are not allowed (RFC 7946: coordinates are WGS-84).")
    kind = obj.get("type")
    if kind not in _TYPES:
        raise _fail("type must be Polygon or MultiPolygon.")
    extra = set(obj) - {"type", "coordinates", "bbox"}
    if extra:
        raise _fail(f"Unexpected members: {sorted(extra)}.")
    coords = obj.get("coordinates")
    polygons = [coords] if kind == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        raise _fail("coordinates are missing or empty.")
    count = sum(len(r) for p in polygons if isinstance(p, list) for r in p if isinstance(r, list))
    if count > max_vertices:
        raise _fail(f"Too many vertices ({count}; at most {max_vertices}). Simplify the polygon.")
    out: list[list[list[list[float]]]] = []
    for i, polygon in enumerate(polygons):
        if not isinstance(polygon, list) or not polygon:
            raise _fail(f"polygon {i}: a polygon is a non-empty list of rings.")
        out.append([_ring(r, f"polygon {i} ring {j}", system) for j, r in enumerate(polygon)])
    return {"type": "MultiPolygon", "coordinates": out}


def _geom(geojson: dict[str, Any]) -> Any:
    return func.ST_SetSRID(func.ST_GeomFromGeoJSON(json.dumps(geojson)), 4326)


def area_from_geojson(session: Session, geojson: dict[str, Any]) -> Any:
    """A MULTIPOLYGON expression for a checked GeoJSON, or the PostGIS reason it is invalid."""
    geom = _geom(geojson)
    reason = session.scalar(select(func.ST_IsValidReason(geom)))
    if reason != "Valid Geometry":
        raise _fail(f"Invalid geometry: {reason}.")
    return func.ST_Multi(geom)


@dataclass(frozen=True)
class Overlap:
    """Another territory of the same station sharing area with this one."""

    territory_id: int
    name: str
    area_m2: float


def overlaps(session: Session, territory: Territory) -> list[Overlap]:
    """The station's other territories whose interior overlaps ``territory``'s."""
    other = (
        select(Territory)
        .where(Territory.station_id == territory.station_id, Territory.id != territory.id)
        .subquery()
    )
    mine = select(Territory.area).where(Territory.id == territory.id).scalar_subquery()
    shared = func.ST_Intersection(other.c.area, mine)
    rows = session.execute(
        select(other.c.id, other.c.name, func.ST_Area(cast(shared, Geography)).label("m2"))
        .where(func.ST_Intersects(other.c.area, mine))
        .order_by(other.c.id)
    ).all()
    return [Overlap(r.id, r.name, round(float(r.m2), 1)) for r in rows if r.m2 > 0]


def covering_territory(station_id: Any, location: Any) -> ColumnElement[Any]:
    """Scalar subquery: the station's territory covering ``location`` (lowest id wins)."""
    return (
        select(Territory.id)
        .where(Territory.station_id == station_id, func.ST_Covers(Territory.area, location))
        .order_by(Territory.id)
        .limit(1)
        .scalar_subquery()
    )


def recompute_account_territories(session: Session, station_id: int) -> int:
    """Set every account of the station to its covering territory; returns rows changed."""
    target = covering_territory(Account.station_id, Account.location)
    result = session.execute(
        update(Account)
        .where(Account.station_id == station_id, Account.territory_id.is_distinct_from(target))
        .values(territory_id=target)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return int(result.rowcount)  # type: ignore[attr-defined]
