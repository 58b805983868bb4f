"""WGS-84 / GCJ-02 / BD-09 conversions and the service-area plausibility check."""

from __future__ import annotations

import math
import random

import pytest

from geo.coords import (
    CoordSystem,
    bd09_to_wgs84,
    gcj02_to_wgs84,
    haversine_m,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from geo.placement import implausibility

# (wgs lat, wgs lon, gcj lat, gcj lon): the reference vectors of the eviltransform projects.
REFERENCE = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]
DEPOT = (110.30, 34.14)


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), REFERENCE)
def test_wgs84_to_gcj02_matches_reference_vectors(wlat, wlon, glat, glon):
    """The forward GCJ-02 transform reproduces published reference values."""
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert lon == pytest.approx(glon, abs=1e-9) and lat == pytest.approx(glat, abs=1e-9)


def test_gcj02_and_bd09_round_trips_are_under_a_millimetre_across_china():
    """WGS-84 -> GCJ-02/BD-09 -> WGS-84 returns within 1 mm (iterative inverse) all over China."""
    rng = random.Random(7)
    worst = 0.0
    for _ in range(2000):
        p = (rng.uniform(73.5, 134.7), rng.uniform(18.2, 53.5))
        worst = max(worst, haversine_m(p, gcj02_to_wgs84(*wgs84_to_gcj02(*p))))
        worst = max(worst, haversine_m(p, bd09_to_wgs84(*wgs84_to_bd09(*p))))
    assert worst < 0.001


def test_gcj02_offset_in_rural_shaanxi_is_hundreds_of_metres():
    """GCJ-02 is a few hundred metres off WGS-84 near the demo county (why declaring matters)."""
    offset = haversine_m(DEPOT, wgs84_to_gcj02(*DEPOT))
    assert 100 < offset < 800


def test_points_outside_china_are_not_shifted():
    """GCJ-02 and its inverse are the identity outside China."""
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert to_wgs84(2.35, 48.85, CoordSystem.GCJ02) == (2.35, 48.85)


def test_to_wgs84_dispatches_on_the_declared_system():
    """to_wgs84 inverts whichever system the client declared."""
    assert to_wgs84(*DEPOT, "wgs84") == DEPOT
    for system, forward in (("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)):
        assert haversine_m(DEPOT, to_wgs84(*forward(*DEPOT), system)) < 0.001


def test_haversine_of_one_degree_of_latitude_is_about_111_km():
    """Great-circle distance: one degree of latitude is ~111.2 km."""
    assert haversine_m((110.0, 34.0), (110.0, 35.0)) == pytest.approx(111_195, rel=1e-3)


@pytest.mark.parametrize(
    ("point", "fragment"),
    [
        ((0.0, 0.0), "(0, 0)"),
        ((34.14, 110.30), "swapped"),
        ((116.4, 39.9), "outside its service area"),
    ],
)
def test_implausible_points_are_explained(point, fragment):
    """(0,0), swapped lat/lon and far-away points each get their own explanation."""
    reason = implausibility(point, DEPOT, 40_000)
    assert reason is not None and fragment in reason


def test_a_point_inside_the_service_area_is_plausible():
    """A point 10 km from the depot passes the plausibility check."""
    assert implausibility((DEPOT[0] + 0.1, DEPOT[1]), DEPOT, 40_000) is None
    assert math.isfinite(haversine_m(DEPOT, DEPOT))
