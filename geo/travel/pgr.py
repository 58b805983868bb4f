"""The SQL side of the pgRouting provider: edge queries and vertex-to-vertex matrices.

pgRouting takes its edge query as an SQL string by design. ``edges_sql`` builds it only
from identifiers validated by ``RoadNetwork`` and numbers formatted by Python; vertex ids
and the edge query itself are bound parameters of the pgRouting call.
"""

from __future__ import annotations

import math
import re

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from geo.travel.network import AUTO_EDGES_PER_TARGET, Method, RoadNetwork
from geo.travel.profiles import ModeProfile
from geo.travel.protocol import FloatMatrix

_UNLIMITED = 1e12  # pgr_drivingDistance's distance bound: far beyond any day's travel
_M_PER_DEG_LAT = 111_320.0


def bbox_around(lonlat: FloatMatrix, margin_m: float) -> tuple[float, float, float, float]:
    """Return ``(xmin, ymin, xmax, ymax)`` of the points grown by ``margin_m`` metres."""
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
