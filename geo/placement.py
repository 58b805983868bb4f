"""Plausibility of a customer's position relative to its station's service area.

Checked on the WGS-84 point after conversion, before anything reaches the
database. Catches the classic mistakes: a missing fix sent as (0, 0), latitude
and longitude swapped, and points that belong to another county altogether.
"""

from __future__ import annotations

from typing import Any

from geo.coords import LonLat, haversine_m

__all__ = ["implausibility"]

_NULL_ISLAND_DEG = 1e-6


def implausibility(
    point: LonLat, depot: LonLat, service_radius_m: float, area: Any = None
) -> str | None:
    """Why ``point`` cannot be a customer of a station at ``depot``, or None if plausible.

    ``area``: the station's drawn service area (a shapely geometry, prepared or not); when
    given, the point must lie inside it, and the radius is not used.
    """
    lon, lat = point
    if abs(lon) < _NULL_ISLAND_DEG and abs(lat) < _NULL_ISLAND_DEG:
        return "(0, 0) is not a customer location (a missing GPS fix?)."
    if area is not None:
        from shapely.geometry import Point

        if area.covers(Point(lon, lat)):
            return None
        if area.covers(Point(lat, lon)):
            return "Latitude and longitude look swapped: send [lon, lat] / lon=..., lat=...."
        return "The point is outside the station's service area. Check the coordinate system."
    distance = haversine_m(point, depot)
    if distance <= service_radius_m:
        return None
    if haversine_m((lat, lon), depot) <= service_radius_m:
        return "Latitude and longitude look swapped: send [lon, lat] / lon=..., lat=...."
    return (
        f"The point is {distance / 1000:.1f} km from the station's depot, outside its "
        f"service area ({service_radius_m / 1000:.1f} km). Check the coordinate system."
    )
