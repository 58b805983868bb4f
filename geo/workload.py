"""A collector's workload estimate: visits, service time and tour length.

Travel is estimated with the Beardwood-Halton-Hammersley law for a tour through
``n`` points spread over an area ``A``: ``L ~ 0.7124 sqrt(n A)``, stretched by a
road detour factor and divided by a travel speed. It is a planning figure for
comparing territories, not a route.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Footprint",
    "WEIGHT_CAP",
    "VisitModel",
    "arrears_weights",
    "footprint",
    "hull_footprint",
    "visit_hours",
]

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


#: The most one account's visit weighs (:func:`arrears_weights`).
WEIGHT_CAP = 3.0


def arrears_weights(arrears: list[float], cap: float = WEIGHT_CAP) -> list[float]:
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

    if len(points) < 2:
        return Footprint(0.0, 0.0)
    lat0 = sum(p[1] for p in points) / len(points)
    # One array to shapely (a list of tuples builds a Point per account: 1.6 s a station).
    hull = shapely.multipoints(np.asarray(points, dtype=float)).convex_hull
    return hull_footprint(np.asarray(getattr(hull, "exterior", hull).coords, dtype=float), lat0)


def hull_footprint(hull_lonlat: Any, lat0: float) -> Footprint:
    """:func:`footprint` from the points' convex hull (its vertices' ``(lon, lat)``, a
    ring or fewer) and their mean latitude ``lat0``: a database can find both without
    sending the points (a projection's scaling keeps the hull a hull)."""
    import numpy as np

    from geo.coords import _EARTH_RADIUS_M as EARTH_RADIUS_M  # haversine_m's

    ring = np.asarray(hull_lonlat, dtype=float).reshape(-1, 2)
    if len(ring) < 2:
        return Footprint(0.0, 0.0)
    kx = 111.32 * math.cos(math.radians(lat0))
    x, y = ring[:, 0] * kx, ring[:, 1] * 111.32
    # Shoelace over the closed ring (a line or a point has none).
    area = abs(float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))) / 2 if len(ring) > 3 else 0.0
    lon, lat = np.radians(ring[:, 0]), np.radians(ring[:, 1])
    # The largest great-circle distance between hull vertices (haversine_m, all pairs at once).
    dlat, dlon = lat[None, :] - lat[:, None], lon[None, :] - lon[:, None]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    spread = float(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(1.0, h))).max()) / 1000.0
    return Footprint(area, spread)
