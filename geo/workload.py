"""A collector's workload estimate: visits, service time and tour length.

Travel is estimated with the Beardwood-Halton-Hammersley law for a tour through
``n`` points spread over an area ``A``: ``L ~ 0.7124 sqrt(n A)``, stretched by a
road detour factor and divided by a travel speed. It is a planning figure for
comparing territories, not a route.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Footprint", "VisitModel", "arrears_weights", "footprint", "visit_hours"]

BHH_CONSTANT = 0.7124


@dataclass(frozen=True)
class VisitModel:
    """Parameters of the estimate; defaults suit a motorbike in hilly rural China."""

    minutes_per_visit: float = 20.0
    detour_factor: float = 1.5
    speed_kmh: float = 25.0

    def __post_init__(self) -> None:
        if not (self.minutes_per_visit >= 0 and self.detour_factor >= 1 and self.speed_kmh > 0):
            raise ValueError("minutes_per_visit >= 0, detour_factor >= 1 and speed_kmh > 0")


def visit_hours(
    service_visits: float, points: int, area_km2: float, model: VisitModel = VisitModel()
) -> float:
    """Hours to visit ``points`` places in ``area_km2``; ``service_visits`` weights the stops."""
    if points <= 0:
        return 0.0
    service = service_visits * model.minutes_per_visit / 60.0
    tour_km = BHH_CONSTANT * math.sqrt(points * max(area_km2, 0.0)) * model.detour_factor
    return service + tour_km / model.speed_kmh


def arrears_weights(arrears: list[float], cap: float = 3.0) -> list[float]:
    """Visits weighted by arrears: 0.5 + 0.5 x (arrears / mean arrears), capped.

    A big debt takes a longer conversation (and repeated visits); zero arrears weigh 0.
    """
    positive = [a for a in arrears if a > 0]
    if not positive:
        return [0.0 for _ in arrears]
    mean = sum(positive) / len(positive)
    return [min(cap, 0.5 + 0.5 * a / mean) if a > 0 else 0.0 for a in arrears]


@dataclass(frozen=True)
class Footprint:
    """Where a set of points lies: convex hull area and largest extent."""

    area_km2: float
    spread_km: float


def footprint(points: list[tuple[float, float]]) -> Footprint:
    """Convex hull area (km², local equirectangular projection) and diameter (km)."""
    import numpy as np
    import shapely

    from geo.coords import _EARTH_RADIUS_M as EARTH_RADIUS_M  # haversine_m's

    if len(points) < 2:
        return Footprint(0.0, 0.0)
    lat0 = sum(p[1] for p in points) / len(points)
    kx = 111.32 * math.cos(math.radians(lat0))
    # One array to shapely (a list of tuples builds a Point per account: 1.6 s a station).
    xy = np.asarray(points, dtype=float) * np.array([kx, 111.32])
    hull = shapely.multipoints(xy).convex_hull
    hull_xy = np.asarray(getattr(hull, "exterior", hull).coords, dtype=float)
    lon = np.radians(hull_xy[:, 0] / kx)
    lat = np.radians(hull_xy[:, 1] / 111.32)
    # The largest great-circle distance between hull vertices (haversine_m, all pairs at once).
    dlat, dlon = lat[None, :] - lat[:, None], lon[None, :] - lon[:, None]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    spread = float(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(1.0, h))).max()) / 1000.0
    return Footprint(float(hull.area), spread)
