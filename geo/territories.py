"""Territory geometry: strict GeoJSON intake and PostGIS validity.

Invalid polygons are refused (:class:`InvalidArea`) with the reason PostGIS gives;
nothing is ever silently repaired (no ``ST_MakeValid``). Functions take a Session
and plain GeoJSON; queries over the models live in ``core.accounts.areas``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.coords import CoordSystem, to_wgs84

__all__ = ["MAX_VERTICES", "InvalidArea", "area_from_geojson", "validate_geojson"]

MAX_VERTICES = 5_000
_TYPES = {"Polygon": 1, "MultiPolygon": 2}  # nesting depth above rings


class InvalidArea(ValueError):
    """A polygon that is not acceptable; ``message`` says why, for the ``area`` field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _position(pos: Any, where: str, system: CoordSystem) -> list[float]:
    if not isinstance(pos, list) or len(pos) not in (2, 3):
        raise InvalidArea(f"{where}: a position is [lon, lat].")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos):
        raise InvalidArea(f"{where}: coordinates must be numbers.")
    lon, lat = float(pos[0]), float(pos[1])
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise InvalidArea(f"{where}: coordinates must be finite.")
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise InvalidArea(f"{where}: lon must be within [-180, 180] and lat within [-90, 90].")
    return list(to_wgs84(lon, lat, system))


def _ring(ring: Any, where: str, system: CoordSystem) -> list[list[float]]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise InvalidArea(f"{where}: a linear ring has at least four positions.")
    if ring[0] != ring[-1]:
        raise InvalidArea(f"{where}: the ring is not closed (first and last positions differ).")
    return [_position(p, f"{where} position {i}", system) for i, p in enumerate(ring)]


def validate_geojson(
    obj: Any, system: CoordSystem | str = CoordSystem.WGS84, max_vertices: int = MAX_VERTICES
) -> dict[str, Any]:
    """A checked RFC 7946 Polygon/MultiPolygon, converted to WGS-84 (structure only)."""
    system = CoordSystem(system)
    if not isinstance(obj, dict):
        raise InvalidArea("A GeoJSON Polygon or MultiPolygon object is expected.")
    if "crs" in obj:
        raise InvalidArea(
            "GeoJSON 'crs' members are not allowed (RFC 7946: coordinates are WGS-84)."
        )
    kind = obj.get("type")
    if kind not in _TYPES:
        raise InvalidArea("type must be Polygon or MultiPolygon.")
    extra = set(obj) - {"type", "coordinates", "bbox"}
    if extra:
        raise InvalidArea(f"Unexpected members: {sorted(extra)}.")
    coords = obj.get("coordinates")
    polygons = [coords] if kind == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        raise InvalidArea("coordinates are missing or empty.")
    count = sum(len(r) for p in polygons if isinstance(p, list) for r in p if isinstance(r, list))
    if count > max_vertices:
        raise InvalidArea(
            f"Too many vertices ({count}; at most {max_vertices}). Simplify the polygon."
        )
    out: list[list[list[list[float]]]] = []
    for i, polygon in enumerate(polygons):
        if not isinstance(polygon, list) or not polygon:
            raise InvalidArea(f"polygon {i}: a polygon is a non-empty list of rings.")
        out.append([_ring(r, f"polygon {i} ring {j}", system) for j, r in enumerate(polygon)])
    return {"type": "MultiPolygon", "coordinates": out}


def _geom(geojson: dict[str, Any]) -> Any:
    return func.ST_SetSRID(func.ST_GeomFromGeoJSON(json.dumps(geojson)), 4326)


def area_from_geojson(session: Session, geojson: dict[str, Any]) -> Any:
    """A MULTIPOLYGON expression for a checked GeoJSON, or the PostGIS reason it is invalid."""
    geom = _geom(geojson)
    reason = session.scalar(select(func.ST_IsValidReason(geom)))
    if reason != "Valid Geometry":
        raise InvalidArea(f"Invalid geometry: {reason}.")
    return func.ST_Multi(geom)
