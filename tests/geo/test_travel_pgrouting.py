"""The pgRouting provider on a tiny hand-built road network inside the test transaction.

Network (lon, lat at 25 N; costs in the tests' profile: cars 10 m/s, walkers 1 m/s)::

    v4 (100.01, 25.01)
     |  \\  e5 footway 800 m (walkers only)
     |   \\
    e4    v1 (100.00, 25.00) -- e1 1000 m -- v2 (100.01, 25.00) -- e2 1000 m -- v3 (100.02, 25.00)
    1500 m connects v4-v2; e3 is one-way v3 -> v4, 1200 m.
    v5 -- e6 500 m -- v6: a fragment not connected to the rest.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from sqlalchemy import Connection, text

from core.models import TravelMode
from geo.travel import (
    CachedProvider,
    GreatCircleProvider,
    MatrixCache,
    Method,
    ModeProfile,
    PartialMatrixProvider,
    PgRoutingProvider,
    RoadNetwork,
    WithFallback,
)
from geo.travel.pgr import tree_batch_size

PROFILES = {
    TravelMode.CAR: ModeProfile(
        speed_kmh=36.0, overhead_s=5.0, access_speed_kmh=3.6, excluded_tags=frozenset({119})
    ),
    TravelMode.WALK: ModeProfile(
        speed_kmh=3.6, overhead_s=0.0, access_speed_kmh=3.6, directed=False
    ),
}
NETWORK = RoadNetwork(
    schema="pg_temp",
    ways="travel_ways",
    vertices="travel_vertices",
    max_snap_m=500.0,
    access_detour=1.0,
    bbox_margin_m=1000.0,
)
V1, V3, V4, V5 = (100.00, 25.00), (100.02, 25.00), (100.01, 25.01), (100.05, 25.05)
NEAR_V2 = (100.01, 25.002)  # 0.002 deg north of v2: about 221.5 m
FAR = (100.30, 25.30)  # kilometres from any road

VERTICES = {
    1: (100.00, 25.00),
    2: (100.01, 25.00),
    3: (100.02, 25.00),
    4: (100.01, 25.01),
    5: (100.05, 25.05),
    6: (100.051, 25.05),
}
# gid, source, target, tag_id, cost_s, reverse_cost_s, length_m (cost_s at 20 m/s, faster
# than both test profiles, so the profile speed decides; -1 marks the one-way direction)
EDGES = [
    (1, 1, 2, 110, 50.0, 50.0, 1000.0),
    (2, 2, 3, 110, 50.0, 50.0, 1000.0),
    (3, 3, 4, 110, 60.0, -60.0, 1200.0),
    (4, 4, 2, 110, 75.0, 75.0, 1500.0),
    (5, 1, 4, 119, 40.0, 40.0, 800.0),
    (6, 5, 6, 110, 25.0, 25.0, 500.0),
]


@pytest.fixture
def roads(connection: Connection) -> Connection:
    """The tiny network as temporary tables in the test's transaction."""
    connection.execute(
        text(
            "CREATE TEMP TABLE travel_vertices (id bigint PRIMARY KEY, "
            "the_geom geometry(Point, 4326) NOT NULL)"
        )
    )
    connection.execute(
        text(
            "CREATE TEMP TABLE travel_ways (gid bigint PRIMARY KEY, source bigint, "
            "target bigint, tag_id integer, cost_s float8, reverse_cost_s float8, "
            "length_m float8, the_geom geometry(LineString, 4326))"
        )
    )
    connection.execute(
        text("INSERT INTO travel_vertices VALUES (:id, ST_SetSRID(ST_MakePoint(:x, :y), 4326))"),
        [{"id": k, "x": x, "y": y} for k, (x, y) in VERTICES.items()],
    )
    connection.execute(
        text(
            "INSERT INTO travel_ways SELECT :gid, :s, :t, :tag, :c, :rc, :len, "
            "ST_MakeLine(a.the_geom, b.the_geom) FROM travel_vertices a, travel_vertices b "
            "WHERE a.id = :s AND b.id = :t"
        ),
        [
            {"gid": g, "s": s, "t": t, "tag": tag, "c": c, "rc": rc, "len": length}
            for g, s, t, tag, c, rc, length in EDGES
        ],
    )
    return connection


def provider(
    conn: Connection,
    method: Method = "drivingdistance",
    batch_size: int | None = 100,
    exact: bool = False,
    max_tree_rows: int = 2_000_000,
) -> PgRoutingProvider:
    """The road provider on the tiny network with the tests' profiles."""
    net = replace(
        NETWORK,
        method=method,
        batch_size=batch_size,
        exact_metres=exact,
        max_tree_rows=max_tree_rows,
    )
    return PgRoutingProvider(conn, net, PROFILES)


def test_car_matrix_equals_hand_computed_shortest_paths(roads: Connection) -> None:
    """Car seconds and metres equal the hand-computed directed shortest paths plus overhead."""
    m = provider(roads).partial_matrix([V1, V3, V4], TravelMode.CAR)
    # metres: v1-v3 2000; v1-v4 2500 (via v2, footway excluded); v3->v4 1200 one-way;
    # v4->v3 2500 (via v2).
    metres = [[0, 2000, 2500], [2000, 0, 1200], [2500, 2500, 0]]
    assert m.metres.tolist() == metres
    seconds = [[0, 205, 255], [205, 0, 125], [255, 255, 0]]
    assert m.seconds.tolist() == seconds


def test_walking_uses_footways_and_ignores_one_way(roads: Connection) -> None:
    """On foot the footway v1-v4 is used and the one-way edge is walked both ways."""
    m = provider(roads).partial_matrix([V1, V3, V4], TravelMode.WALK)
    assert m.seconds.tolist() == [[0, 2000, 800], [2000, 0, 1200], [800, 1200, 0]]


def test_snapping_distance_is_added_at_access_speed(roads: Connection) -> None:
    """A point 221.5 m off the network pays that distance at the access speed."""
    m = provider(roads).partial_matrix([NEAR_V2, V3], TravelMode.CAR)
    # access 221.5 m at 1 m/s, road v2->v3 1000 m at 10 m/s, overhead 5 s
    assert m.seconds[0, 1] == pytest.approx(221.5 + 100.0 + 5.0, abs=1.0)
    assert m.metres[0, 1] == pytest.approx(221.5 + 1000.0, abs=1.0)


def test_disconnected_and_far_points_are_left_unrouted(roads: Connection) -> None:
    """A point on a fragment or far from any road gets NaN cells, not an error."""
    m = provider(roads).partial_matrix([V1, V5, FAR], TravelMode.CAR)
    assert m.routed.tolist() == [[True, False, False], [False, True, False], [False, False, True]]


def test_unroutable_points_fall_back_to_great_circle_and_are_marked(roads: Connection) -> None:
    """WithFallback fills unroutable cells from the great-circle estimate and marks them."""
    points = [V1, V3, V5, FAR]
    fallback = GreatCircleProvider(profiles=PROFILES)
    m = WithFallback(provider(roads), fallback).matrix(points, TravelMode.CAR)
    est = fallback.matrix(points, TravelMode.CAR)
    assert m.seconds[0, 1] == 205 and not m.estimated[0, 1] and not m.estimated[1, 0]
    assert m.estimated[:, 2:].sum() == 6 and m.estimated[2:, :].sum() == 6
    assert m.seconds[0, 3] == est.seconds[0, 3] and m.metres[2, 1] == est.metres[2, 1]


@pytest.mark.parametrize(
    ("method", "batch_size"),
    [
        ("dijkstracost", None),
        ("dijkstracost", 1),
        ("drivingdistance", None),
        ("drivingdistance", 1),
        ("auto", 500),
    ],
)
def test_every_method_and_batch_size_equals_cost_matrix(
    roads: Connection, method: Method, batch_size: int | None
) -> None:
    """dijkstraCost, drivingDistance and auto, whole or batched, equal pgr_dijkstraCostMatrix."""
    points = [V1, V3, V4, NEAR_V2, V5, FAR]
    whole = provider(roads, "costmatrix").partial_matrix(points, TravelMode.CAR)
    other = provider(roads, method, batch_size).partial_matrix(points, TravelMode.CAR)
    np.testing.assert_array_equal(whole.seconds, other.seconds)
    np.testing.assert_array_equal(whole.metres, other.metres)


def test_tree_row_budget_shrinks_batches_without_changing_results(roads: Connection) -> None:
    """A tiny max_tree_rows forces one source per call and still gives the same matrix."""
    points = [V1, V3, V4, NEAR_V2]
    whole = provider(roads, batch_size=None).partial_matrix(points, TravelMode.CAR)
    tiny = provider(roads, batch_size=None, max_tree_rows=1).partial_matrix(points, TravelMode.CAR)
    np.testing.assert_array_equal(whole.seconds, tiny.seconds)


def test_tree_batch_size_keeps_sources_times_edges_under_budget() -> None:
    """Batches shrink on big networks, never below one source, never above the request."""
    assert tree_batch_size(500, 1154, 2839, 2_000_000) == 500
    assert tree_batch_size(500, 2000, 79_600, 2_000_000) == 25
    assert tree_batch_size(None, 30, 10, 2_000_000) == 30
    assert tree_batch_size(500, 2000, 10_000_000, 2_000_000) == 1


def test_exact_metres_equal_speed_derived_metres_when_speed_is_capped(roads: Connection) -> None:
    """With every posted speed above the mode speed, length_m routing gives the same metres."""
    points = [V1, V3, V4, NEAR_V2]
    derived = provider(roads).partial_matrix(points, TravelMode.CAR)
    exact = provider(roads, exact=True).partial_matrix(points, TravelMode.CAR)
    np.testing.assert_allclose(exact.metres, derived.metres, atol=1e-6)


def test_cache_hit_does_not_touch_the_database(roads: Connection) -> None:
    """The second identical request is served from the cache even after the tables are gone."""
    cache = MatrixCache()
    cached = CachedProvider(WithFallback(provider(roads), GreatCircleProvider()), cache)
    first = cached.matrix([V1, V3, V4], TravelMode.CAR)
    roads.execute(text("DROP TABLE travel_ways, travel_vertices"))
    assert cached.matrix([V1, V3, V4], TravelMode.CAR) is first
    assert cache.hits == 1


def test_provider_satisfies_the_partial_protocol(roads: Connection) -> None:
    """The road provider is a PartialMatrixProvider whose key names database and tables."""
    p = provider(roads)
    assert isinstance(p, PartialMatrixProvider)
    assert "pg_temp.travel_ways" in p.key


def test_table_names_must_be_plain_identifiers() -> None:
    """Table names that could inject SQL into pgRouting's edge query are rejected."""
    with pytest.raises(ValueError):
        RoadNetwork(ways="ways; DROP TABLE accounts")
