"""The great-circle provider: haversine distances, the short-leg detour and access legs,
speeds, overheads and matrix shape."""

from __future__ import annotations

import numpy as np
import pytest

from core.models import TravelMode
from geo.travel import (
    DEFAULT_ACCESS_M,
    DEFAULT_PROFILES,
    EARTH_RADIUS_M,
    GreatCircleProvider,
    MatrixProvider,
    ModeProfile,
    haversine_m,
    road_metres,
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


def test_a_flat_detour_without_access_is_haversine_times_the_factor() -> None:
    """With the short detour equal to the long one and no access leg, metres are the
    haversine distance times the factor and seconds those metres at speed plus overhead."""
    profiles = {TravelMode.CAR: ModeProfile(speed_kmh=36.0, overhead_s=100.0, access_speed_kmh=4)}
    flat = GreatCircleProvider(1.5, profiles, short_detour_factor=1.5, access_m=0.0)
    m = flat.matrix(POINTS, TravelMode.CAR)
    d = haversine_m(np.array(POINTS))
    assert np.array_equal(m.metres, np.rint(d * 1.5))
    assert m.seconds[0, 1] == round(d[0, 1] * 1.5 / 10.0 + 100.0)


def test_legs_add_both_access_legs_at_the_access_speed() -> None:
    """Each leg pays ``access_m`` at both ends at the mode's access speed (as the road
    provider pays the snapping distance), plus the detoured distance at road speed."""
    profiles = {TravelMode.CAR: ModeProfile(speed_kmh=36.0, overhead_s=100.0, access_speed_kmh=3.6)}
    p = GreatCircleProvider(1.5, profiles, short_detour_factor=2.0, detour_half_m=1000.0)
    m = p.matrix(POINTS, TravelMode.CAR)
    d = haversine_m(np.array(POINTS))[0, 1]
    road = d * (1.5 + 0.5 * 1000.0 / (1000.0 + d))
    assert m.metres[0, 1] == round(road + 2 * DEFAULT_ACCESS_M)
    assert m.seconds[0, 1] == round(road / 10.0 + 2 * DEFAULT_ACCESS_M / 1.0 + 100.0)


def test_the_detour_falls_from_the_short_to_the_long_factor() -> None:
    """Road metres per great-circle metre start at the short factor, are halfway at the
    half distance and tend to the long factor."""
    d = np.array([1.0, 2000.0, 1e7])
    ratio = road_metres(d, 1.6, 2.4, 2000.0) / d
    assert ratio[0] == pytest.approx(2.4, abs=1e-3)
    assert ratio[1] == pytest.approx(2.0)
    assert ratio[2] == pytest.approx(1.6, abs=1e-3)


def test_short_hops_cost_more_per_metre_than_long_legs() -> None:
    """Neighbouring houses 200 m apart cost several minutes by motorbike, with seconds
    per great-circle metre well above those of a 20 km leg (the old flat model gave 98 s)."""
    p = GreatCircleProvider()
    near = p.matrix([(100.0, 25.0), (100.0, 25.0 + 200 / 111_195)], TravelMode.MOTORBIKE)
    far = p.matrix([(100.0, 25.0), (100.0, 25.0 + 20_000 / 111_195)], TravelMode.MOTORBIKE)
    assert 180 <= near.seconds[0, 1] <= 300
    assert near.seconds[0, 1] / 200 > 3 * far.seconds[0, 1] / 20_000


@pytest.mark.parametrize("mode", list(TravelMode))
def test_seconds_and_metres_grow_with_distance(mode: TravelMode) -> None:
    """Along a line of points from 1 m to 30 km, every leg from the first point takes
    longer and is longer than the previous one."""
    metres = np.concatenate([[0.0], np.geomspace(1.0, 30_000.0, 60)])
    points = [(100.0, 25.0 + float(x) / 111_195) for x in metres]
    m = GreatCircleProvider().matrix(points, mode)
    assert (np.diff(m.seconds[0, 1:]) >= 0).all() and m.seconds[0, -1] > m.seconds[0, 1]
    assert (np.diff(m.metres[0, 1:]) >= 0).all() and m.metres[0, -1] > m.metres[0, 1]


@pytest.mark.parametrize("mode", list(TravelMode))
def test_triangle_inequality_holds_up_to_rounding(mode: TravelMode) -> None:
    """Going through a third point is never faster than going straight (1 s of rounding
    per leg), for points from a few metres to tens of km apart."""
    rng = np.random.default_rng(3)
    spread = np.concatenate([rng.uniform(-0.002, 0.002, (20, 2)), rng.uniform(-0.2, 0.2, (20, 2))])
    points = [(100.0 + float(x), 25.0 + float(y)) for x, y in spread]
    s = GreatCircleProvider().matrix(points, mode).seconds.astype(np.int64)
    via = s[:, :, None] + s[None, :, :]  # via[i, k, j] = s[i, k] + s[k, j]
    assert (s[:, None, :] <= via + 1).all()


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


def test_rejects_implausible_parameters() -> None:
    """A detour below 1 (shorter than a straight line), a short-leg detour below the long
    one, a non-positive half distance or a negative access leg is rejected."""
    with pytest.raises(ValueError):
        GreatCircleProvider(detour_factor=0.9)
    with pytest.raises(ValueError):
        GreatCircleProvider(detour_factor=1.6, short_detour_factor=1.5)
    with pytest.raises(ValueError):
        GreatCircleProvider(detour_half_m=0.0)
    with pytest.raises(ValueError):
        GreatCircleProvider(access_m=-1.0)


def test_satisfies_the_matrix_provider_protocol() -> None:
    """The provider can be used wherever the planner expects a MatrixProvider."""
    assert isinstance(GreatCircleProvider(), MatrixProvider)


def test_key_changes_with_parameters() -> None:
    """Different parameters give different cache identities."""
    assert GreatCircleProvider(1.4).key != GreatCircleProvider(1.5).key
    assert GreatCircleProvider(short_detour_factor=2.0).key != GreatCircleProvider().key
    assert GreatCircleProvider(detour_half_m=900.0).key != GreatCircleProvider().key
    assert GreatCircleProvider(access_m=0.0).key != GreatCircleProvider().key


def test_seconds_between_are_the_matrix_cells_of_those_pairs() -> None:
    """The rectangle from some points to others holds exactly the square matrix's cells
    for those pairs, in every mode (co-located points cost nothing either way)."""
    rng = np.random.default_rng(7)
    pts = [(100.0 + x, 25.0 + y) for x, y in rng.uniform(0.0, 0.2, size=(40, 2))]
    pts.append(pts[5])  # a second account at the same point
    provider = GreatCircleProvider()
    for mode in TravelMode:
        full = provider.matrix(pts, mode).seconds
        rows, cols = [0, 1, 5, 40], [3, 5, 40, 0, 17]
        got = provider.seconds_between([pts[i] for i in rows], [pts[j] for j in cols], mode)
        assert got.dtype == np.int32
        assert got.tolist() == full[np.ix_(rows, cols)].tolist()
        assert got[2, 2] == got[3, 1] == 0  # the same point twice
