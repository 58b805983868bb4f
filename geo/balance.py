"""Balanced territories by recursive weighted bisection.

Splits the bounding box of a station's delinquent accounts into ``k`` rectangles,
each split placed where the two sides' estimated workloads (arrears-weighted
visits plus BHH travel, :mod:`geo.workload`) are in proportion to the number of
territories each side will hold. Every territory is one rectangle, so it is
contiguous, and together they tile the box: no gaps, no overlaps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from geo.workload import VisitModel, visit_hours

__all__ = ["BalancedTerritory", "Site", "balance"]

_M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class Site:
    """An account to visit: WGS-84 position and its weight in visits (>= 0)."""

    account_id: int
    lon: float
    lat: float
    weight: float


@dataclass(frozen=True)
class BalancedTerritory:
    """One proposed territory: its rectangle (lon/lat bounds), accounts and estimate."""

    bounds: tuple[float, float, float, float]
    account_ids: tuple[int, ...]
    weight: float
    hours: float


def _lon(s: Site) -> float:
    return s.lon


def _lat(s: Site) -> float:
    return s.lat


def _area_km2(sites: list[Site], kx: float) -> float:
    if len(sites) < 2:
        return 0.0
    xs = [s.lon for s in sites]
    ys = [s.lat for s in sites]
    return (max(xs) - min(xs)) * kx * (max(ys) - min(ys)) * _M_PER_DEG / 1e6


def _estimate(sites: list[Site], kx: float, model: VisitModel) -> float:
    return visit_hours(sum(s.weight for s in sites), len(sites), _area_km2(sites, kx), model)


def _prefix_estimates(ordered: list[Site], kx: float, model: VisitModel) -> list[float]:
    """Estimate of ``ordered[:i]`` for every i, in one pass (bounding boxes grow monotonically)."""
    out = [0.0]
    weight = 0.0
    min_x = min_y = math.inf
    max_x = max_y = -math.inf
    for i, s in enumerate(ordered, start=1):
        weight += s.weight
        min_x, max_x = min(min_x, s.lon), max(max_x, s.lon)
        min_y, max_y = min(min_y, s.lat), max(max_y, s.lat)
        area = (max_x - min_x) * kx * (max_y - min_y) * _M_PER_DEG / 1e6 if i > 1 else 0.0
        out.append(visit_hours(weight, i, area, model))
    return out


def _split(
    sites: list[Site],
    bounds: tuple[float, float, float, float],
    k: int,
    kx: float,
    model: VisitModel,
    out: list[BalancedTerritory],
) -> None:
    if k == 1 or len(sites) <= 1:
        out.append(
            BalancedTerritory(
                bounds,
                tuple(sorted(s.account_id for s in sites)),
                sum(s.weight for s in sites),
                _estimate(sites, kx, model),
            )
        )
        return
    west, south, east, north = bounds
    along_x = (east - west) * kx >= (north - south) * _M_PER_DEG
    key: Callable[[Site], float] = _lon if along_x else _lat
    ordered = sorted(sites, key=key)
    left_k = k // 2
    right_k = k - left_k
    prefix = _prefix_estimates(ordered, kx, model)
    suffix = _prefix_estimates(ordered[::-1], kx, model)[::-1]
    best, best_i = math.inf, 1
    for i in range(1, len(ordered)):
        if key(ordered[i - 1]) == key(ordered[i]):
            continue  # the cut must fall between distinct coordinates
        gap = abs(prefix[i] / left_k - suffix[i] / right_k)
        if gap < best:
            best, best_i = gap, i
    cut = (key(ordered[best_i - 1]) + key(ordered[best_i])) / 2
    if along_x:
        first, second = (west, south, cut, north), (cut, south, east, north)
    else:
        first, second = (west, south, east, cut), (west, cut, east, north)
    _split(ordered[:best_i], first, left_k, kx, model, out)
    _split(ordered[best_i:], second, right_k, kx, model, out)


def balance(sites: list[Site], k: int, model: VisitModel = VisitModel()) -> list[BalancedTerritory]:
    """``k`` contiguous rectangles tiling the sites' box with balanced estimated hours.

    With fewer distinct positions than ``k`` fewer territories come back.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    if not sites:
        return []
    margin = 1e-4
    bounds = (
        min(s.lon for s in sites) - margin,
        min(s.lat for s in sites) - margin,
        max(s.lon for s in sites) + margin,
        max(s.lat for s in sites) + margin,
    )
    kx = _M_PER_DEG * math.cos(math.radians((bounds[1] + bounds[3]) / 2))
    out: list[BalancedTerritory] = []
    _split(sites, bounds, k, kx, model, out)
    return out
