"""Road-following lines for routes: the shortest road path between consecutive stops.

A route's waypoints (start, stops, end) are snapped to the nearest network vertex and
joined by ``pgr_dijkstra`` over consecutive pairs (one call per route, edges within the
waypoints' box and a margin). Each leg's line is waypoint -> its vertex -> the road edges
-> the next vertex -> the next waypoint; a leg without a road path (a fragment, a point
beyond ``max_snap_m``) stays straight. Metres are the cost: the line is for drawing, the
plan's times come from the travel matrix.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.travel.network import RoadNetwork
from geo.travel.protocol import LonLat

__all__ = ["RoadPath", "road_path"]

_MARGIN_DEG = 0.03  # ~3 km: roads may leave the waypoints' box


@dataclass(frozen=True)
class RoadPath:
    """A route's line and how many of its legs follow roads (the rest are straight)."""

    coords: tuple[LonLat, ...]
    road_legs: int
    legs: int

    @property
    def kind(self) -> str:
        """``road`` when every leg follows roads, ``partly_road``, else ``straight``."""
        if self.legs and self.road_legs == self.legs:
            return "road"
        return "partly_road" if self.road_legs else "straight"


def _snap(session: Session, network: RoadNetwork, points: list[LonLat]) -> list[int | None]:
    rows = session.execute(
        text(
            "SELECT p.i, v.id FROM unnest(CAST(:xs AS float8[]), CAST(:ys AS float8[])) "
            "WITH ORDINALITY AS p(x, y, i) "
            "CROSS JOIN LATERAL ("
            f'  SELECT v.id, v.the_geom FROM "{network.schema}"."{network.vertices}" v'
            "  ORDER BY v.the_geom <-> ST_SetSRID(ST_MakePoint(p.x, p.y), 4326) LIMIT 1) v "
            "WHERE ST_DistanceSphere(v.the_geom, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326)) "
            "<= :max_m"
        ),
        {
            "xs": [p[0] for p in points],
            "ys": [p[1] for p in points],
            "max_m": network.max_snap_m,
        },
    ).all()
    found = {int(i): int(v) for i, v in rows}
    return [found.get(i + 1) for i in range(len(points))]


def road_path(session: Session, network: RoadNetwork, waypoints: list[LonLat]) -> RoadPath:
    """The road-following line through ``waypoints`` (at least two), leg by leg."""
    if len(waypoints) < 2:
        return RoadPath(tuple(waypoints), 0, 0)
    vertices = _snap(session, network, waypoints)
    pairs = sorted(
        {
            (a, b)
            for a, b in zip(vertices, vertices[1:], strict=False)
            if a is not None and b is not None and a != b
        }
    )
    legs_coords: dict[tuple[int, int], list[LonLat]] = defaultdict(list)
    if pairs:
        xs = [p[0] for p in waypoints]
        ys = [p[1] for p in waypoints]
        box = (
            min(xs) - _MARGIN_DEG,
            min(ys) - _MARGIN_DEG,
            max(xs) + _MARGIN_DEG,
            max(ys) + _MARGIN_DEG,
        )
        ways = f'"{network.schema}"."{network.ways}"'
        edges = (
            f"SELECT gid AS id, source, target, length_m AS cost, length_m AS reverse_cost "
            f"FROM {ways} WHERE the_geom && ST_MakeEnvelope({box[0]!r}, {box[1]!r}, "
            f"{box[2]!r}, {box[3]!r}, 4326)"
        )
        values = ",".join(f"({a},{b})" for a, b in pairs)
        combos = f"SELECT * FROM (VALUES {values}) AS c(source, target)"
        rows = session.execute(
            text(
                "SELECT d.start_vid, d.end_vid, d.path_seq, "
                "ST_AsText(CASE WHEN d.node = w.source THEN w.the_geom "
                "ELSE ST_Reverse(w.the_geom) END) "
                "FROM pgr_dijkstra(:edges, :combos, directed => false) d "
                f"JOIN {ways} w ON w.gid = d.edge "
                "ORDER BY d.start_vid, d.end_vid, d.path_seq"
            ),
            {"edges": edges, "combos": combos},
        ).all()
        for start, end, _seq, wkt in rows:
            leg = legs_coords[(int(start), int(end))]
            for pair in str(wkt).removeprefix("LINESTRING(").removesuffix(")").split(","):
                x, y = pair.split()[:2]
                point = (float(x), float(y))
                if not leg or leg[-1] != point:
                    leg.append(point)
    out: list[LonLat] = [waypoints[0]]
    road_legs = 0
    for i in range(len(waypoints) - 1):
        a, b = vertices[i], vertices[i + 1]
        leg = legs_coords.get((a, b), []) if a is not None and b is not None else []
        if leg:
            road_legs += 1
            out.extend(leg)
        elif a is not None and a == b:
            road_legs += 1  # both ends at one vertex: the access legs are the path
        out.append(waypoints[i + 1])
    return RoadPath(tuple(out), road_legs, len(waypoints) - 1)
