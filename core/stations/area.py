"""Where a station's customers may be: its drawn service area, else a radius around the depot."""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import to_shape
from shapely.prepared import prep

from core.models import Station
from geo.coords import LonLat
from geo.placement import implausibility


def area_shape(station: Station) -> Any:
    """The station's service area as a prepared shapely geometry, or None when not drawn."""
    if station.service_area is None:
        return None
    return prep(to_shape(station.service_area))


def depot_lonlat(station: Station) -> LonLat:
    depot = to_shape(station.depot)
    return (depot.x, depot.y)


def station_implausibility(station: Station, point: LonLat, area: Any = None) -> str | None:
    """Why ``point`` cannot be a customer of ``station`` (None if plausible); pass
    ``area`` (from :func:`area_shape`) when checking many points."""
    if area is None:
        area = area_shape(station)
    return implausibility(point, depot_lonlat(station), station.service_radius_m, area)
