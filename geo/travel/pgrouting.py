"""A road-network travel matrix on pgRouting (osm2pgrouting table layout).

Each point is snapped to the nearest vertex of the network that the mode may use
(a KNN ``<->`` lookup on the vertices' GiST index), then pgRouting gives vertex-to-vertex
seconds: ``pgr_drivingDistance`` trees or ``pgr_dijkstraCost`` in batches of sources,
chosen by the network size per point, or ``pgr_dijkstraCostMatrix``
(``RoadNetwork.method``). The snapping distance
is added at the mode's access speed, plus the mode's per-leg overhead.

Edge seconds per mode are ``GREATEST(cost_s, length_m / mode speed)``: osm2pgrouting's
``cost_s`` is the time at the posted or default car speed (50 km/h with the default
mapconfig), which is far too fast on mountain roads, so the mode's road speed (see
``geo.travel.profiles``) caps the speed while a lower posted limit still counts. Scaling
``cost_s`` by a factor instead would keep the 50 km/h default on tracks and hairpins.
Walking ignores one-way rules and posted speeds: ``length_m / walking speed`` both ways.

Cells with no route (a point farther than ``max_snap_m`` from the network, or snapped to
a fragment that is not connected) are ``NaN``; wrap the provider in ``WithFallback``.

pgRouting takes its edge query as an SQL string by design. That string is built only
from validated identifiers (``RoadNetwork``) and numbers from ``ModeProfile``; the points
and vertex ids are bound parameters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from geoalchemy2 import Geography, Geometry
from sqlalchemy import (
    BigInteger,
    Connection,
    Float,
    cast,
    column,
    exists,
    func,
    literal,
    or_,
    select,
    table,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from geo.models import TravelMode
from geo.travel.profiles import DEFAULT_PROFILES, ModeProfile, describe_profiles, profile_for
from geo.travel.protocol import FloatMatrix, LonLat, PartialMatrix, as_lonlat_array

Method = Literal["auto", "drivingdistance", "dijkstracost", "costmatrix"]
METHODS: frozenset[str] = frozenset({"auto", "drivingdistance", "dijkstracost", "costmatrix"})
AUTO_EDGES_PER_TARGET = 20
"""``auto`` uses ``drivingdistance`` up to this many edges per target vertex, else
``dijkstracost`` (measured crossover: Andorra 2.5 edges/target, drivingDistance 2-4x faster;
a 40,000-vertex grid at 41 edges/target, dijkstraCost 1.4x faster)."""
_UNLIMITED = 1e12  # pgr_drivingDistance's distance bound: far beyond any day's travel
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_M_PER_DEG_LAT = 111_320.0


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


def _bbox(lonlat: FloatMatrix, margin_m: float) -> tuple[float, float, float, float]:
    lat_max = float(np.abs(lonlat[:, 1]).max())
    dlat = margin_m / _M_PER_DEG_LAT
    dlon = margin_m / (_M_PER_DEG_LAT * max(math.cos(math.radians(min(lat_max, 89.0))), 0.01))
    return (
        float(lonlat[:, 0].min()) - dlon,
        float(lonlat[:, 1].min()) - dlat,
        float(lonlat[:, 0].max()) + dlon,
        float(lonlat[:, 1].max()) + dlat,
    )


def edges_sql(
    network: RoadNetwork,
    profile: ModeProfile,
    bbox: tuple[float, float, float, float] | None = None,
    metres: bool = False,
) -> str:
    """Return pgRouting's edge query for ``profile`` (seconds, or metres if ``metres``).

    Parameters
    ----------
    network
        Validated table names.
    profile
        Mode speeds, one-way rule and excluded tags.
    bbox
        ``(xmin, ymin, xmax, ymax)`` in degrees to restrict edges to, or ``None``.
    metres
        Cost in metres instead of seconds, with the same one-way rules.

    Returns
    -------
    str
        ``SELECT id, source, target, cost, reverse_cost FROM ...``, made only of
        identifiers checked by ``RoadNetwork`` and numbers formatted by Python.
    """
    mps = float(profile.speed_mps)
    forward = "length_m" if metres else f"GREATEST(cost_s, length_m / {mps!r})"
    backward = "length_m" if metres else f"GREATEST(reverse_cost_s, length_m / {mps!r})"
    if profile.directed:
        cost = f"CASE WHEN cost_s < 0 THEN -1 ELSE {forward} END"
        reverse = f"CASE WHEN reverse_cost_s < 0 THEN -1 ELSE {backward} END"
    else:
        cost = reverse = "length_m" if metres else f"length_m / {mps!r}"
    where = ["source IS NOT NULL", "target IS NOT NULL"]
    if network.tag_column is not None and profile.excluded_tags:
        tags = ", ".join(str(int(t)) for t in sorted(profile.excluded_tags))
        where.append(f'"{network.tag_column}" NOT IN ({tags})')
    if bbox is not None:
        x0, y0, x1, y1 = (float(v) for v in bbox)
        where.append(f"the_geom && ST_MakeEnvelope({x0!r}, {y0!r}, {x1!r}, {y1!r}, 4326)")
    return (
        f"SELECT gid AS id, source, target, {cost} AS cost, {reverse} AS reverse_cost "
        f"FROM {network.qualified_ways} WHERE {' AND '.join(where)}"
    )


def snap_points(
    conn: Connection | Session,
    network: RoadNetwork,
    lonlat: FloatMatrix,
    profile: ModeProfile,
) -> tuple[npt.NDArray[np.int64], FloatMatrix]:
    """Snap each point to its nearest vertex that the mode can use.

    Parameters
    ----------
    conn
        Database connection or session.
    network
        Table names.
    lonlat
        ``(n, 2)`` array of ``(lon, lat)``.
    profile
        Mode; vertices touched only by excluded edges are skipped.

    Returns
    -------
    tuple of numpy.ndarray
        Vertex id per point (``-1`` if farther than ``max_snap_m`` or none found) and the
        geodesic snapping distance in metres (``inf`` where not snapped).
    """
    n = lonlat.shape[0]
    pts = (
        func.unnest(
            literal(lonlat[:, 0].tolist(), ARRAY(Float)),
            literal(lonlat[:, 1].tolist(), ARRAY(Float)),
        )
        .table_valued("lon", "lat", with_ordinality="idx")
        .render_derived(name="pts")
    )
    v = table(
        network.vertices,
        column("id", BigInteger),
        column("the_geom", Geometry("POINT", 4326)),
        schema=network.schema,
    )
    point = func.ST_SetSRID(func.ST_MakePoint(pts.c.lon, pts.c.lat), 4326)
    nearest_q = select(v.c.id, v.c.the_geom)
    if network.tag_column is not None and profile.excluded_tags:
        w = table(
            network.ways,
            column("source", BigInteger),
            column("target", BigInteger),
            column(network.tag_column, BigInteger),
            schema=network.schema,
        )
        usable = exists().where(
            or_(w.c.source == v.c.id, w.c.target == v.c.id),
            w.c[network.tag_column].not_in(sorted(profile.excluded_tags)),
        )
        nearest_q = nearest_q.where(usable)
    nearest = nearest_q.order_by(v.c.the_geom.distance_centroid(point)).limit(1).lateral("nearest")
    distance = func.ST_Distance(cast(nearest.c.the_geom, Geography), cast(point, Geography))
    stmt = select(pts.c.idx, nearest.c.id, distance).select_from(pts.join(nearest, true()))
    vids = np.full(n, -1, dtype=np.int64)
    snap = np.full(n, np.inf, dtype=np.float64)
    for idx, vid, dist in conn.execute(stmt):
        if dist is not None and float(dist) <= network.max_snap_m:
            vids[int(idx) - 1] = int(vid)
            snap[int(idx) - 1] = float(dist)
    return vids, snap


_COST_MATRIX_SQL = text(
    "SELECT start_vid, array_agg(end_vid), array_agg(agg_cost) "
    "FROM pgr_dijkstraCostMatrix(:edges, CAST(:ends AS bigint[]), directed => true) "
    "GROUP BY start_vid"
)
_DIJKSTRA_COST_SQL = text(
    "SELECT start_vid, array_agg(end_vid), array_agg(agg_cost) "
    "FROM pgr_dijkstraCost(:edges, CAST(:starts AS bigint[]), CAST(:ends AS bigint[]), "
    "directed => true) GROUP BY start_vid"
)
# pgRouting 3.6 renamed pgr_drivingDistance's from_v to start_vid.
_DRIVING_DISTANCE_SQL = {
    column_name: text(
        f"SELECT dd.{column_name}, array_agg(dd.node), array_agg(dd.agg_cost) "
        "FROM pgr_drivingDistance(:edges, CAST(:starts AS bigint[]), :limit, directed => true) dd "
        "JOIN unnest(CAST(:ends AS bigint[])) AS t(id) ON t.id = dd.node "
        f"GROUP BY dd.{column_name}"
    )
    for column_name in ("from_v", "start_vid")
}


def pgrouting_version(conn: Connection | Session) -> tuple[int, int]:
    """Return pgRouting's ``(major, minor)`` version."""
    raw = str(conn.execute(text("SELECT pgr_version()")).scalar_one())
    major, minor = (int(part) for part in re.findall(r"\d+", raw)[:2])
    return major, minor


def tree_batch_size(batch_size: int | None, sources: int, edges: int, max_rows: int) -> int:
    """Sources per ``pgr_drivingDistance`` call so that sources x edges <= ``max_rows``.

    Parameters
    ----------
    batch_size
        Requested sources per call (``None``: all).
    sources
        Number of source vertices.
    edges
        Edges in the routed graph (an upper bound of the vertices a tree reaches, up to
        one per component).
    max_rows
        Row budget per call.

    Returns
    -------
    int
        At least 1, at most ``batch_size`` and ``sources``.
    """
    wanted = sources if batch_size is None else min(batch_size, sources)
    return max(1, min(wanted, max_rows // max(edges, 1)))


def vertex_matrix(
    conn: Connection | Session,
    edges: str,
    vertex_ids: npt.NDArray[np.int64],
    method: Method = "auto",
    batch_size: int | None = 500,
    max_tree_rows: int = 2_000_000,
) -> FloatMatrix:
    """Shortest-path costs between sorted unique vertex ids, ``NaN`` where unreachable.

    Parameters
    ----------
    conn
        Database connection or session.
    edges
        pgRouting edge query (see ``edges_sql``).
    vertex_ids
        Sorted unique vertex ids.
    method
        ``"auto"``, ``"drivingdistance"``, ``"dijkstracost"`` or ``"costmatrix"`` (see
        ``RoadNetwork``).
    batch_size
        Sources per call (``None``: all); ignored by ``"costmatrix"``.
    max_tree_rows
        Row budget per ``pgr_drivingDistance`` call (see ``RoadNetwork``).

    Returns
    -------
    numpy.ndarray
        ``(k, k)`` float64 costs in the edge query's unit, zero diagonal.
    """
    k = vertex_ids.shape[0]
    out = np.full((k, k), np.nan, dtype=np.float64)
    np.fill_diagonal(out, 0.0)
    if k < 2:
        return out
    ids = vertex_ids.tolist()
    n_edges = 0
    if method in ("auto", "drivingdistance"):
        n_edges = int(conn.execute(text(f"SELECT count(*) FROM ({edges}) AS e")).scalar_one())
    if method == "auto":
        method = "drivingdistance" if n_edges <= AUTO_EDGES_PER_TARGET * k else "dijkstracost"
    if method == "costmatrix":
        stmt, step = _COST_MATRIX_SQL, k
    elif method == "dijkstracost":
        stmt, step = _DIJKSTRA_COST_SQL, batch_size or k
    else:
        column_name = "start_vid" if pgrouting_version(conn) >= (3, 6) else "from_v"
        stmt = _DRIVING_DISTANCE_SQL[column_name]
        step = tree_batch_size(batch_size, k, n_edges, max_tree_rows)
    for first in range(0, k, step):
        params = {"edges": edges, "starts": ids[first : first + step], "ends": ids}
        for start, ends, costs in conn.execute(stmt, {**params, "limit": _UNLIMITED}):
            row = int(np.searchsorted(vertex_ids, start))
            cols = np.searchsorted(vertex_ids, np.asarray(ends, dtype=np.int64))
            out[row, cols] = np.asarray(costs, dtype=np.float64)
    np.fill_diagonal(out, 0.0)
    return out


class PgRoutingProvider:
    """Road-network travel times from pgRouting; a ``PartialMatrixProvider``.

    Parameters
    ----------
    conn
        Connection or session used for every query (the provider lives as long as it).
    network
        Where the osm2pgrouting tables are (default schema ``roads``).
    profiles
        Per-mode speeds (default ``DEFAULT_PROFILES``).

    Examples
    --------
    >>> provider = WithFallback(PgRoutingProvider(conn), GreatCircleProvider())
    ... # doctest: +SKIP
    """

    def __init__(
        self,
        conn: Connection | Session,
        network: RoadNetwork | None = None,
        profiles: Mapping[TravelMode, ModeProfile] = DEFAULT_PROFILES,
    ) -> None:
        self.conn = conn
        self.network = network if network is not None else RoadNetwork()
        self.profiles = profiles

    @property
    def key(self) -> str:
        """Database, tables and parameters, for caches (no data version: clear on import)."""
        bind = self.conn if isinstance(self.conn, Connection) else self.conn.get_bind()
        url = bind.engine.url
        net = self.network
        return (
            f"pgrouting:{url.host}:{url.port}/{url.database}:{net.schema}.{net.ways}"
            f":{net.vertices}:tag={net.tag_column}:snap={net.max_snap_m:g}"
            f":acc={net.access_detour:g}:bbox={net.bbox_margin_m}:exact={int(net.exact_metres)}"
            f":{describe_profiles(self.profiles)}"
        )

    def partial_matrix(self, points: Sequence[LonLat], mode: TravelMode) -> PartialMatrix:
        """Route between ``points``; cells without a route are ``NaN``.

        Parameters
        ----------
        points
            WGS-84 ``(lon, lat)`` pairs.
        mode
            Travel mode, selects speeds, one-way rule and usable edges.

        Returns
        -------
        PartialMatrix
            Float seconds and metres, ``NaN`` where unrouted, zero diagonal.
        """
        profile = profile_for(self.profiles, mode)
        lonlat = as_lonlat_array(points)
        n = lonlat.shape[0]
        seconds = np.full((n, n), np.nan, dtype=np.float64)
        metres = np.full((n, n), np.nan, dtype=np.float64)
        if n:
            vids, snap = snap_points(self.conn, self.network, lonlat, profile)
            ok = np.flatnonzero(vids >= 0)
            if ok.size:
                self._route(lonlat, vids, snap, ok, profile, seconds, metres)
        np.fill_diagonal(seconds, 0.0)
        np.fill_diagonal(metres, 0.0)
        same = (lonlat[:, None, 0] == lonlat[None, :, 0]) & (
            lonlat[:, None, 1] == lonlat[None, :, 1]
        )
        seconds[same] = 0.0
        metres[same] = 0.0
        return PartialMatrix(seconds=seconds, metres=metres)

    def _route(
        self,
        lonlat: FloatMatrix,
        vids: npt.NDArray[np.int64],
        snap: FloatMatrix,
        ok: npt.NDArray[np.intp],
        profile: ModeProfile,
        seconds: FloatMatrix,
        metres: FloatMatrix,
    ) -> None:
        net = self.network
        unique = np.unique(vids[ok])
        bbox = None if net.bbox_margin_m is None else _bbox(lonlat[ok], net.bbox_margin_m)
        road_s = vertex_matrix(
            self.conn,
            edges_sql(net, profile, bbox),
            unique,
            net.method,
            net.batch_size,
            net.max_tree_rows,
        )
        if net.exact_metres:
            edges_m = edges_sql(net, profile, bbox, metres=True)
            road_m = vertex_matrix(
                self.conn, edges_m, unique, net.method, net.batch_size, net.max_tree_rows
            )
            road_m[np.isnan(road_s)] = np.nan
        else:
            road_m = road_s * profile.speed_mps
        pos = np.searchsorted(unique, vids[ok])
        access_m = snap[ok] * net.access_detour
        access_s = access_m / profile.access_speed_mps
        sub = np.ix_(ok, ok)
        seconds[sub] = (
            road_s[np.ix_(pos, pos)] + access_s[:, None] + access_s[None, :] + profile.overhead_s
        )
        metres[sub] = road_m[np.ix_(pos, pos)] + access_m[:, None] + access_m[None, :]
