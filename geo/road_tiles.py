"""The imported road network (osm2pgrouting's ``ways``) as a tile layer's features.

Road data is public (OpenStreetMap or the generated demo network), so it is not scoped.
At low zoom only the classes a car may use are kept (tracks, paths and footways appear
from ``MINOR_ZOOM``).
"""

from __future__ import annotations

from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import Integer, Select, String, column, literal, select, table, text
from sqlalchemy.orm import Session

from geo.tiles import Tile
from geo.travel.network import RoadNetwork

__all__ = ["MINOR_ZOOM", "MINOR_TAGS", "has_roads", "road_features"]

#: osm2pgrouting's default mapconfig ids of service, track, pedestrian, path, cycleway,
#: footway, bridleway and steps: the minor ways a county network is mostly made of.
MINOR_TAGS = (112, 113, 114, 117, 118, 119, 120, 122)
MINOR_ZOOM = 13


def has_roads(session: Session, network: RoadNetwork) -> bool:
    """Whether the network's edge table exists."""
    ways = f"{network.schema}.{network.ways}"
    return bool(session.scalar(text("SELECT to_regclass(:t) IS NOT NULL"), {"t": ways}))


def road_features(network: RoadNetwork, tile: Tile) -> Select[Any]:
    """Edges in the tile: ``gid``, ``tag_id`` (osm2pgrouting's mapconfig id of the
    ``highway`` class) and ``name``."""
    ways = table(
        network.ways,
        column("gid", Integer),
        column("the_geom", Geometry("LINESTRING", srid=4326)),
        column("name", String),
        *([column(network.tag_column, Integer)] if network.tag_column else []),
        schema=network.schema,
    )
    tag: Any = ways.c[network.tag_column] if network.tag_column else literal(None)
    stmt = select(
        ways.c.gid.label("gid"),
        tag.label("tag_id"),
        ways.c.name.label("name"),
        ways.c.the_geom.label("geom"),
    ).where(ways.c.the_geom.op("&&")(tile.bbox_wgs84()))
    if network.tag_column and tile.z < MINOR_ZOOM:
        stmt = stmt.where(tag.not_in(MINOR_TAGS))
    return stmt
