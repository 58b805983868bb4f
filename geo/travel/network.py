"""Where a routable road network lives and how the pgRouting provider queries it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Method = Literal["auto", "drivingdistance", "dijkstracost", "costmatrix"]
METHODS: frozenset[str] = frozenset({"auto", "drivingdistance", "dijkstracost", "costmatrix"})
AUTO_EDGES_PER_TARGET = 20
"""``auto`` uses ``drivingdistance`` up to this many edges per target vertex, else
``dijkstracost`` (measured crossover: Andorra 2.5 edges/target, drivingDistance 2-4x faster;
a 40,000-vertex grid at 41 edges/target, dijkstraCost 1.4x faster)."""
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class RoadNetwork:
    """Where the routable network lives and how to use it.

    Attributes
    ----------
    schema
        Schema of the osm2pgrouting tables (default ``roads``, never the app's schema).
    ways
        Edge table: ``gid, source, target, cost_s, reverse_cost_s, length_m, the_geom``.
    vertices
        Vertex table: ``id, the_geom`` (``geometry(Point, 4326)`` with a GiST index).
    tag_column
        Edge column with osm2pgrouting's ``tag_id`` for per-mode exclusions, or ``None``
        when the table has no such column.
    max_snap_m
        A point farther than this from every usable vertex is not routed (fallback).
    access_detour
        Path metres per straight metre between a point and its vertex.
    bbox_margin_m
        Only edges within the points' bounding box grown by this margin are loaded
        (``None``: the whole table). Keeps a province-sized table cheap.
    method
        ``"drivingdistance"``: one Dijkstra tree per source with ``pgr_drivingDistance``,
        keeping only the target vertices (no path is rebuilt per pair; fastest when the
        points are dense in the network). ``"dijkstracost"``: ``pgr_dijkstraCost``
        many-to-many (faster when the network is large for the number of points).
        ``"costmatrix"``: one ``pgr_dijkstraCostMatrix`` call (ignores ``batch_size``).
        ``"auto"`` (default) picks ``drivingdistance`` up to ``AUTO_EDGES_PER_TARGET``
        edges per target vertex, else ``dijkstracost``. All give the same costs; see
        ``docs/road_network.md``.
    batch_size
        Sources per database call for ``drivingdistance`` and ``dijkstracost``
        (``None``: all at once). Batches keep each result set small.
    max_tree_rows
        ``drivingdistance`` returns a row per source and reachable vertex before the
        targets are picked, and PostgreSQL cannot allocate more than 1 GB for it
        (``invalid memory alloc request size``: 500 sources on a 40,000-vertex grid).
        Batches are shrunk so that sources x edges stays below this (default 2,000,000,
        about 110 MB).
    exact_metres
        ``False``: metres = routed seconds x mode speed (exact whenever no edge on the path
        has a posted speed below the mode speed, true for the default mapconfig).
        ``True``: a second matrix over ``length_m`` (the shortest path's length; doubles
        the database time).
    """

    schema: str = "roads"
    ways: str = "ways"
    vertices: str = "ways_vertices_pgr"
    tag_column: str | None = "tag_id"
    max_snap_m: float = 1500.0
    access_detour: float = 1.3
    bbox_margin_m: float | None = 10_000.0
    method: Method = "auto"
    batch_size: int | None = 500
    max_tree_rows: int = 2_000_000
    exact_metres: bool = False

    def __post_init__(self) -> None:
        for name in (self.schema, self.ways, self.vertices, self.tag_column):
            if name is not None and not _IDENT.match(name):
                raise ValueError(f"not a plain lower-case SQL identifier: {name!r}")
        if not self.max_snap_m > 0.0:
            raise ValueError("max_snap_m must be positive")
        if not 1.0 <= self.access_detour <= 3.0:
            raise ValueError("access_detour must be between 1.0 and 3.0")
        if self.bbox_margin_m is not None and not self.bbox_margin_m >= 0.0:
            raise ValueError("bbox_margin_m must be non-negative")
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {sorted(METHODS)}")
        if self.batch_size is not None and self.batch_size < 1:
            raise ValueError("batch_size must be positive")
        if self.max_tree_rows < 1:
            raise ValueError("max_tree_rows must be positive")

    @property
    def qualified_ways(self) -> str:
        """``schema.ways``, quoted."""
        return f'"{self.schema}"."{self.ways}"'
