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

from collections.abc import Mapping, Sequence

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
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from geo.modes import TravelMode
from geo.travel.network import RoadNetwork
from geo.travel.pgr import bbox_around, edges_sql, vertex_matrix
from geo.travel.profiles import DEFAULT_PROFILES, ModeProfile, describe_profiles, profile_for
from geo.travel.protocol import FloatMatrix, LonLat, PartialMatrix, as_lonlat_array


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
        bbox = None if net.bbox_margin_m is None else bbox_around(lonlat[ok], net.bbox_margin_m)
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
