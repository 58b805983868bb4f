"""The great-circle provider: haversine distances, speeds, overheads and matrix shape."""

from __future__ import annotations

import numpy as np
import pytest

from geo.models import TravelMode
from geo.travel import (
    DEFAULT_PROFILES,
    EARTH_RADIUS_M,
    GreatCircleProvider,
    MatrixProvider,
    ModeProfile,
    haversine_m,
)

# Three villages in a Yunnan-sized box (lon, lat).
POINTS = [(100.10, 25.00), (100.13, 25.02), (100.30, 25.21)]


def test_one_degree_of_latitude_is_about_111_2_km() -> None:
    """One degree of latitude along a meridian is 111.19 km on the mean-radius sphere."""
    d = haversine_m(np.array([[100.0, 25.0], [100.0, 26.0]]))
    assert d[0, 1] == pytest.approx(111_195.0, abs=5.0)
    assert d[0, 1] == pytest.approx(EARTH_RADIUS_M * np.pi / 180.0)


def test_one_degree_of_longitude_shrinks_with_cos_latitude() -> None:
    """One degree of longitude at 60 degrees north is half of one at the equator."""
    equator = haversine_m(np.array([[0.0, 0.0], [1.0, 0.0]]))[0, 1]
    north = haversine_m(np.array([[0.0, 60.0], [1.0, 60.0]]))[0, 1]
    assert north == pytest.approx(equator / 2.0, rel=1e-3)


def test_known_city_distance() -> None:
    """Kunming to Dali (city centres) is about 270 km great-circle."""
    d = haversine_m(np.array([[102.833, 24.880], [100.267, 25.606]]))[0, 1]
    assert d == pytest.approx(271_000.0, rel=0.02)


def test_matrix_is_symmetric_with_zero_diagonal_and_int32() -> None:
    """The estimate is symmetric, integer int32, zero on the diagonal, nothing estimated."""
    m = GreatCircleProvider().matrix(POINTS, TravelMode.MOTORBIKE)
    assert m.seconds.dtype == np.int32 and m.metres.dtype == np.int32
    assert np.array_equal(m.seconds, m.seconds.T)
    assert np.array_equal(m.metres, m.metres.T)
    assert not np.diagonal(m.seconds).any() and not np.diagonal(m.metres).any()
    assert not m.estimated.any()


def test_metres_are_great_circle_times_detour() -> None:
    """Metres are the haversine distance times the detour factor, rounded."""
    m = GreatCircleProvider(detour_factor=1.5).matrix(POINTS, TravelMode.CAR)
    expected = np.rint(haversine_m(np.array(POINTS)) * 1.5)
    assert np.array_equal(m.metres, expected)


def test_seconds_are_metres_at_mode_speed_plus_overhead() -> None:
    """Seconds are road metres at the mode's speed plus the per-leg overhead."""
    profiles = {TravelMode.CAR: ModeProfile(speed_kmh=36.0, overhead_s=100.0, access_speed_kmh=4)}
    m = GreatCircleProvider(detour_factor=1.0, profiles=profiles).matrix(POINTS, TravelMode.CAR)
    d = haversine_m(np.array(POINTS))
    assert m.seconds[0, 1] == round(d[0, 1] / 10.0 + 100.0)


def test_walking_is_slower_than_motorbike_and_car() -> None:
    """With the default profiles every leg takes longer on foot than by motorbike or car."""
    p = GreatCircleProvider()
    walk = p.matrix(POINTS, TravelMode.WALK).seconds
    bike = p.matrix(POINTS, TravelMode.MOTORBIKE).seconds
    off = ~np.eye(len(POINTS), dtype=bool)
    assert (walk[off] > bike[off]).all()
    assert DEFAULT_PROFILES[TravelMode.WALK].speed_kmh < DEFAULT_PROFILES[TravelMode.CAR].speed_kmh


def test_co_located_points_cost_nothing() -> None:
    """Two accounts at the same coordinates get zero seconds (no overhead) between them."""
    m = GreatCircleProvider().matrix([(100.1, 25.0), (100.1, 25.0)], TravelMode.CAR)
    assert m.seconds[0, 1] == 0 and m.metres[0, 1] == 0


def test_empty_and_single_point() -> None:
    """No points give a 0 x 0 matrix and one point a 1 x 1 zero matrix."""
    p = GreatCircleProvider()
    assert p.matrix([], TravelMode.WALK).size == 0
    one = p.matrix([(100.0, 25.0)], TravelMode.WALK)
    assert one.size == 1 and one.seconds[0, 0] == 0


def test_rejects_lat_lon_swapped_out_of_range() -> None:
    """A latitude outside [-90, 90] (e.g. lat/lon swapped) is rejected."""
    with pytest.raises(ValueError, match="lon, lat"):
        GreatCircleProvider().matrix([(25.0, 100.0)], TravelMode.CAR)


def test_rejects_implausible_detour_factor() -> None:
    """A detour factor below 1 (shorter than a straight line) is rejected."""
    with pytest.raises(ValueError):
        GreatCircleProvider(detour_factor=0.9)


def test_satisfies_the_matrix_provider_protocol() -> None:
    """The provider can be used wherever the planner expects a MatrixProvider."""
    assert isinstance(GreatCircleProvider(), MatrixProvider)


def test_key_changes_with_parameters() -> None:
    """Different parameters give different cache identities."""
    assert GreatCircleProvider(1.4).key != GreatCircleProvider(1.5).key
