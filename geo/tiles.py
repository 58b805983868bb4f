"""Mapbox vector tiles from PostGIS: ``ST_TileEnvelope`` -> ``ST_AsMVTGeom`` -> ``ST_AsMVT``.

The builders here take any SELECT whose columns are the features' attributes plus one
geometry column in WGS-84 (EPSG:4326), and wrap it into the one-row statement that
answers the tile's bytes. Which rows a caller may see is the domain package's business
(its scoped feature queries); this module knows tiles, not models.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, bindparam, func, literal, select

__all__ = [
    "BUFFER",
    "EXTENT",
    "MAX_ZOOM",
    "Tile",
    "TileError",
    "cluster_cell",
    "mvt",
    "pixel_m",
]

#: Tile coordinate space (MVT's default) and the margin drawn around it, in those units.
EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 22
#: Half the side of the Web Mercator square (EPSG:3857), metres.
_ORIGIN_SHIFT = 20037508.342789244
_WEB_MERCATOR = 3857
_WGS84 = 4326


class TileError(ValueError):
    """A tile address outside the pyramid (z in 0..22, x and y in 0..2^z - 1)."""


@dataclass(frozen=True)
class Tile:
    """One tile of the Web Mercator pyramid (XYZ scheme, y down from the north)."""

    z: int
    x: int
    y: int

    def __post_init__(self) -> None:
        if not 0 <= self.z <= MAX_ZOOM:
            raise TileError(f"zoom must be within 0..{MAX_ZOOM}")
        side = 1 << self.z
        if not (0 <= self.x < side and 0 <= self.y < side):
            raise TileError(f"x and y must be within 0..{side - 1} at zoom {self.z}")

    def params(self) -> dict[str, int]:
        """The values of the statement's ``tile_x`` and ``tile_y`` parameters: a tile's
        statement serves every tile of its zoom, run with that tile's parameters."""
        return {"tile_x": self.x, "tile_y": self.y}

    def _xy(self) -> tuple[ColumnElement[int], ColumnElement[int]]:
        return (
            bindparam("tile_x", self.x, type_=Integer),
            bindparam("tile_y", self.y, type_=Integer),
        )

    def envelope(self) -> ColumnElement[Any]:
        """The tile's square in EPSG:3857 (``ST_TileEnvelope``)."""
        return func.ST_TileEnvelope(self.z, *self._xy())

    def bbox_wgs84(self, margin: float = BUFFER / EXTENT) -> ColumnElement[Any]:
        """The tile grown by ``margin`` (a fraction of its side) in EPSG:4326, for ``&&``."""
        world = func.ST_MakeEnvelope(
            -_ORIGIN_SHIFT, -_ORIGIN_SHIFT, _ORIGIN_SHIFT, _ORIGIN_SHIFT, _WEB_MERCATOR
        )
        return func.ST_Transform(func.ST_TileEnvelope(self.z, *self._xy(), world, margin), _WGS84)

    def lonlat_bounds(self) -> tuple[float, float, float, float]:
        """West, south, east, north in degrees."""
        n = 1 << self.z

        def lat(y: int) -> float:
            return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))

        return (self.x / n * 360 - 180, lat(self.y + 1), (self.x + 1) / n * 360 - 180, lat(self.y))


def pixel_m(z: int) -> float:
    """Metres of EPSG:3857 per tile unit at zoom ``z`` (simplification tolerance)."""
    return 2 * _ORIGIN_SHIFT / (1 << z) / EXTENT


def cluster_cell(geom: Any, z: int, cells_per_side: int = 32) -> ColumnElement[Any]:
    """A grid cell key for ``geom`` (EPSG:4326): points in one cell form one cluster.

    The grid is square in EPSG:3857 with ``cells_per_side`` cells across a tile of zoom
    ``z``, so clusters keep a constant size on screen whatever the zoom.
    """
    size = 2 * _ORIGIN_SHIFT / (1 << z) / cells_per_side
    return func.ST_SnapToGrid(func.ST_Transform(geom, _WEB_MERCATOR), size, size)


def mvt(
    features: Select[Any],
    tile: Tile,
    layer: str,
    *,
    geom: str = "geom",
    extent: int = EXTENT,
    buffer: int = BUFFER,
    simplify_px: float = 0.0,
) -> Select[Any]:
    """The statement answering ``features`` as one MVT layer of ``tile`` (one bytea row).

    ``features`` must have a geometry column named ``geom`` (EPSG:4326); its other
    columns become the features' attributes (null attributes are left out). Rows whose
    geometry falls outside the tile and its buffer are dropped; the caller should filter
    on :meth:`Tile.bbox_wgs84` itself so the spatial index is used. ``simplify_px`` > 0
    simplifies lines and polygons by that many tile units first.
    """
    inner = features.subquery("features")
    shape: Any = func.ST_Transform(inner.c[geom], _WEB_MERCATOR)
    if simplify_px > 0:
        tolerance = simplify_px * 2 * _ORIGIN_SHIFT / (1 << tile.z) / extent
        shape = func.ST_SimplifyPreserveTopology(shape, tolerance)
    attrs = [c for c in inner.c if c.key != geom]
    drawn = func.ST_AsMVTGeom(shape, tile.envelope(), extent, buffer, True).label("mvt_geom")
    rows = select(*attrs, drawn).subquery("mvt_rows")
    visible = select(rows).where(rows.c.mvt_geom.is_not(None)).subquery("mvt_visible")
    encoded = func.ST_AsMVT(visible.table_valued(), layer, extent, "mvt_geom")
    return select(func.coalesce(encoded, literal(b"")))
