"""Chinese coordinate systems: WGS-84 <-> GCJ-02 <-> BD-09, and great-circle distance.

GCJ-02 ("Mars coordinates") is the obfuscated datum every map app sold in China
uses; BD-09 is Baidu's further offset of it. The forward transforms are the
well-known public formulas (as in the ``eviltransform`` projects); the inverses
have no closed form and are found by fixed-point iteration, which converges to
well under a millimetre in a handful of steps.

All functions take and return ``(lon, lat)`` in degrees, GeoJSON order.
"""

from __future__ import annotations

import enum
import math

__all__ = [
    "CoordSystem",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "haversine_m",
    "out_of_china",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

LonLat = tuple[float, float]

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0
_EARTH_RADIUS_M = 6_371_008.8
_TOLERANCE_DEG = 1e-10  # ~0.01 mm
_MAX_ITERATIONS = 30


class CoordSystem(enum.StrEnum):
    """The coordinate system a client declares for the points it sends."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


def out_of_china(lon: float, lat: float) -> bool:
    """True outside the rough bounding box where GCJ-02 differs from WGS-84."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon: float, lat: float) -> LonLat:
    """WGS-84 to GCJ-02 (identity outside China)."""
    if out_of_china(lon, lat):
        return lon, lat
    d_lat = _transform_lat(lon - 105.0, lat - 35.0)
    d_lon = _transform_lon(lon - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lon + d_lon, lat + d_lat


def gcj02_to_bd09(lon: float, lat: float) -> LonLat:
    """GCJ-02 to BD-09 (Baidu)."""
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def wgs84_to_bd09(lon: float, lat: float) -> LonLat:
    """WGS-84 to BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _invert(forward: object, lon: float, lat: float, first_guess: LonLat) -> LonLat:
    """Solve ``forward(x) == (lon, lat)`` by fixed-point iteration from ``first_guess``."""
    f = forward  # a callable (lon, lat) -> (lon, lat)
    x_lon, x_lat = first_guess
    for _ in range(_MAX_ITERATIONS):
        f_lon, f_lat = f(x_lon, x_lat)  # type: ignore[operator]
        d_lon, d_lat = lon - f_lon, lat - f_lat
        x_lon, x_lat = x_lon + d_lon, x_lat + d_lat
        if abs(d_lon) < _TOLERANCE_DEG and abs(d_lat) < _TOLERANCE_DEG:
            break
    return x_lon, x_lat


def gcj02_to_wgs84(lon: float, lat: float) -> LonLat:
    """GCJ-02 to WGS-84, exact to ~1e-10 degrees by iteration."""
    if out_of_china(lon, lat):
        return lon, lat
    return _invert(wgs84_to_gcj02, lon, lat, (lon, lat))


def bd09_to_gcj02(lon: float, lat: float) -> LonLat:
    """BD-09 to GCJ-02: the usual closed-form approximation refined by iteration."""
    x, y = lon - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    guess = (z * math.cos(theta), z * math.sin(theta))
    return _invert(gcj02_to_bd09, lon, lat, guess)


def bd09_to_wgs84(lon: float, lat: float) -> LonLat:
    """BD-09 to WGS-84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def to_wgs84(lon: float, lat: float, system: CoordSystem | str) -> LonLat:
    """A point declared in ``system``, expressed in WGS-84."""
    match CoordSystem(system):
        case CoordSystem.WGS84:
            return lon, lat
        case CoordSystem.GCJ02:
            return gcj02_to_wgs84(lon, lat)
        case CoordSystem.BD09:
            return bd09_to_wgs84(lon, lat)


def haversine_m(a: LonLat, b: LonLat) -> float:
    """Great-circle distance in metres between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
