"""Coordinates for the phone's map and navigation deep links; pure functions."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from geo.coords import CoordSystem, wgs84_to_bd09, wgs84_to_gcj02

LonLat = tuple[float, float]
#: Decimal places of converted degrees (about 0.1 m).
DIGITS = 6

_FROM_WGS84: dict[CoordSystem, Callable[[float, float], LonLat]] = {
    CoordSystem.WGS84: lambda lon, lat: (lon, lat),
    CoordSystem.GCJ02: wgs84_to_gcj02,
    CoordSystem.BD09: wgs84_to_bd09,
}


def convert(point: LonLat, crs: CoordSystem) -> LonLat:
    """A stored WGS-84 ``(lon, lat)`` in ``crs``, rounded to :data:`DIGITS` places."""
    lon, lat = _FROM_WGS84[crs](*point)
    return round(lon, DIGITS), round(lat, DIGITS)


def amap_marker(point: LonLat, name: str) -> str:
    """Amap's marker URI; Amap wants GCJ-02 (``coordinate=gaode``), converted here."""
    lon, lat = convert(point, CoordSystem.GCJ02)
    return (
        f"https://uri.amap.com/marker?position={lon},{lat}"
        f"&name={quote(name, safe='')}&coordinate=gaode"
    )


def geo_uri(point: LonLat) -> str:
    """RFC 5870 ``geo:`` URI (latitude first), WGS-84 as the RFC requires."""
    lon, lat = convert(point, CoordSystem.WGS84)
    return f"geo:{lat},{lon}"
