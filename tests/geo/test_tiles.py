"""Tile addresses and the MVT statement builder."""

from __future__ import annotations

import pytest
from sqlalchemy import func, literal, select

from geo.tiles import Tile, TileError, mvt, pixel_m


def test_tile_outside_the_pyramid_is_refused():
    """x or y beyond 2^z - 1, or a zoom past 22, is not a tile."""
    with pytest.raises(TileError):
        Tile(2, 4, 0)
    with pytest.raises(TileError):
        Tile(23, 0, 0)
    with pytest.raises(TileError):
        Tile(3, 0, -1)


def test_world_tile_bounds_are_web_mercator_limits():
    """Tile 0/0/0 spans the world between Web Mercator's latitude limits."""
    west, south, east, north = Tile(0, 0, 0).lonlat_bounds()
    assert (west, east) == (-180, 180)
    assert north == pytest.approx(85.0511, abs=1e-4) and south == pytest.approx(-85.0511, abs=1e-4)


def test_pixel_size_halves_with_each_zoom():
    """A tile unit at zoom z+1 is half as many metres as at zoom z."""
    assert pixel_m(13) == pytest.approx(pixel_m(12) / 2)


def test_mvt_of_a_point_in_the_tile_has_one_feature(connection):
    """A point inside the tile is encoded; the same point in another tile is not."""
    import mapbox_vector_tile

    point = func.ST_SetSRID(func.ST_MakePoint(110.3, 34.14), 4326).label("geom")
    features = select(literal(7).label("id"), point)
    inside = connection.scalar(mvt(features, Tile(10, 825, 408), "pts"))
    decoded = mapbox_vector_tile.decode(bytes(inside))
    assert [f["properties"] for f in decoded["pts"]["features"]] == [{"id": 7}]
    outside = connection.scalar(mvt(features, Tile(10, 826, 408), "pts"))
    assert bytes(outside) == b""

