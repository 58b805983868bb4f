"""A road network for the demo county, in osm2pgrouting's schema (``roads.ways``,
``roads.ways_vertices_pgr``, ``roads.configuration``), as a real county gets from its
OpenStreetMap extract (``docs/road_network.md``).

Per station: a winding valley road joins the town (the depot) and the villages (the
centroid of each village's accounts) along the shortest tree between them, which
follows the valleys the villages were strung along (``demo.geometry.villages``); every
house farther than ``TRACK_FROM_M`` from a road vertex gets a track from the nearest
one. Deterministic for the database's stations and accounts (and ``seed``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from core.models import Account, Station

__all__ = ["RoadReport", "generate_roads"]

SCHEMA = "roads"
#: Road segments are cut every this many metres (each cut is a vertex to snap to).
SEGMENT_M = 300.0
#: Houses farther than this from every road vertex get a track.
TRACK_FROM_M = 120.0
#: osm2pgrouting's default mapconfig: (tag id, class, km/h).
SECONDARY, TERTIARY, TRACK = (108, "secondary", 60.0), (109, "tertiary", 50.0), (113, "track", 30.0)

_DDL = [
    f"DROP TABLE IF EXISTS {SCHEMA}.ways, {SCHEMA}.ways_vertices_pgr, {SCHEMA}.configuration",
    f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
    f"""CREATE TABLE {SCHEMA}.configuration (
        id serial PRIMARY KEY, tag_id integer UNIQUE, tag_key text, tag_value text,
        priority double precision, maxspeed double precision,
        maxspeed_forward double precision, maxspeed_backward double precision,
        force char)""",
    f"""CREATE TABLE {SCHEMA}.ways_vertices_pgr (
        id bigserial PRIMARY KEY, osm_id bigint, eout integer, lon numeric(11, 8),
        lat numeric(11, 8), cnt integer, chk integer, ein integer,
        the_geom geometry(Point, 4326))""",
    f"""CREATE TABLE {SCHEMA}.ways (
        gid bigserial PRIMARY KEY, osm_id bigint, tag_id integer, length double precision,
        length_m double precision, name text, source bigint, target bigint,
        source_osm bigint, target_osm bigint, cost double precision,
        reverse_cost double precision, cost_s double precision,
        reverse_cost_s double precision, rule text, one_way integer, oneway text,
        x1 double precision, y1 double precision, x2 double precision, y2 double precision,
        maxspeed_forward double precision, maxspeed_backward double precision,
        priority double precision DEFAULT 1, the_geom geometry(LineString, 4326))""",
]
_INDEXES = [
    f"CREATE INDEX ways_the_geom_idx ON {SCHEMA}.ways USING gist (the_geom)",
    f"CREATE INDEX ways_source_idx ON {SCHEMA}.ways (source)",
    f"CREATE INDEX ways_target_idx ON {SCHEMA}.ways (target)",
    f"CREATE INDEX ways_vertices_pgr_the_geom_idx ON {SCHEMA}.ways_vertices_pgr "
    "USING gist (the_geom)",
]


@dataclass
class RoadReport:
    vertices: int = 0
    edges: int = 0
    km: float = 0.0
    tracks: int = 0


def _m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Metres between two lon/lat points (equirectangular; fine within a county)."""
    lat = math.radians((a[1] + b[1]) / 2)
    return math.hypot((b[0] - a[0]) * 111_320.0 * math.cos(lat), (b[1] - a[1]) * 110_540.0)


def _tree(points: list[tuple[float, float]]) -> list[tuple[int, int]]:
    """Prim's minimum spanning tree from point 0 (the town): the valley roads."""
    inside, edges = {0}, []
    best = {i: (_m(points[0], p), 0) for i, p in enumerate(points) if i}
    while best:
        j = min(best, key=lambda k: best[k][0])
        edges.append((best.pop(j)[1], j))
        inside.add(j)
        for k in list(best):
            d = _m(points[j], points[k])
            if d < best[k][0]:
                best[k] = (d, j)
    return edges


class _Builder:
    def __init__(self) -> None:
        self.vertices: list[tuple[float, float]] = []
        self.edges: list[
            tuple[int, int, tuple[int, str, float], list[tuple[float, float]], str]
        ] = []

    def vertex(self, p: tuple[float, float]) -> int:
        self.vertices.append(p)
        return len(self.vertices)

    def road(
        self, a: int, b: int, tag: tuple[int, str, float], name: str, rng: random.Random
    ) -> list[int]:
        """A winding road from vertex ``a`` to ``b``, cut every ``SEGMENT_M``."""
        pa, pb = self.vertices[a - 1], self.vertices[b - 1]
        n = max(1, round(_m(pa, pb) / SEGMENT_M))
        amplitude = min(250.0, _m(pa, pb) * 0.08) * rng.uniform(0.5, 1.0)
        waves = rng.uniform(1.0, 2.5)
        phase = rng.uniform(0, math.pi)
        dx, dy = pb[0] - pa[0], pb[1] - pa[1]
        length = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / length, dx / length  # unit normal (degrees; small scale)
        chain = [a]
        for i in range(1, n):
            t = i / n
            bend = amplitude * math.sin(math.pi * t) * math.sin(waves * math.pi * t + phase)
            deg = bend / 111_000.0
            chain.append(self.vertex((pa[0] + dx * t + nx * deg, pa[1] + dy * t + ny * deg)))
        chain.append(b)
        for u, v in zip(chain, chain[1:], strict=False):
            self.edges.append((u, v, tag, [self.vertices[u - 1], self.vertices[v - 1]], name))
        return chain


def generate_roads(
    session: Session, seed: int = 7, station_ids: list[int] | None = None
) -> RoadReport:
    """(Re)build the ``roads`` tables from the stations' (all, or ``station_ids``) towns,
    villages and houses."""
    b = _Builder()
    stations = select(Station).order_by(Station.id)
    if station_ids is not None:
        stations = stations.where(Station.id.in_(station_ids))
    for station in session.scalars(stations):
        rng = random.Random(f"{seed}:roads:{station.code}")
        depot = session.execute(select(func.ST_X(station.depot), func.ST_Y(station.depot))).one()
        villages = session.execute(
            select(
                Account.village,
                func.ST_X(func.ST_Centroid(func.ST_Collect(Account.location))),
                func.ST_Y(func.ST_Centroid(func.ST_Collect(Account.location))),
            )
            .where(Account.station_id == station.id)
            .group_by(Account.village)
            .order_by(Account.village)
        ).all()
        points = [(float(depot[0]), float(depot[1]))] + [
            (float(x), float(y)) for _, x, y in villages
        ]
        names = [station.name] + [str(v) for v, _, _ in villages]
        ids = [b.vertex(p) for p in points]
        road_vertices = list(ids)
        for i, j in _tree(points):
            tag = SECONDARY if i == 0 else TERTIARY
            road_vertices += b.road(ids[i], ids[j], tag, f"{names[i]}-{names[j]}路", rng)[1:-1]
        houses = session.execute(
            select(func.ST_X(Account.location), func.ST_Y(Account.location))
            .where(Account.station_id == station.id)
            .order_by(Account.id)
        ).all()
        grid: dict[tuple[int, int], list[int]] = {}
        for v in road_vertices:
            x, y = b.vertices[v - 1]
            grid.setdefault((int(x * 100), int(y * 100)), []).append(v)
        for hx, hy in houses:
            house = (float(hx), float(hy))
            cx, cy = int(house[0] * 100), int(house[1] * 100)
            near = [
                v for i in (-1, 0, 1) for j in (-1, 0, 1) for v in grid.get((cx + i, cy + j), [])
            ]
            if not near:
                near = road_vertices
            nearest = min(near, key=lambda v: _m(b.vertices[v - 1], house))
            if _m(b.vertices[nearest - 1], house) <= TRACK_FROM_M:
                continue
            for v in b.road(nearest, b.vertex(house), TRACK, "", rng)[1:]:
                x, y = b.vertices[v - 1]
                grid.setdefault((int(x * 100), int(y * 100)), []).append(v)
    return _write(session, b)


def _write(session: Session, b: _Builder) -> RoadReport:
    for statement in _DDL:
        session.execute(text(statement))
    session.execute(
        text(
            f"INSERT INTO {SCHEMA}.configuration (tag_id, tag_key, tag_value, priority, maxspeed) "
            "VALUES (:id, 'highway', :v, 1, :s)"
        ),
        [{"id": t[0], "v": t[1], "s": t[2]} for t in (SECONDARY, TERTIARY, TRACK)],
    )
    session.execute(
        text(
            f"INSERT INTO {SCHEMA}.ways_vertices_pgr (id, lon, lat, the_geom) "
            "VALUES (:id, :x, :y, ST_SetSRID(ST_MakePoint(:x, :y), 4326))"
        ),
        [{"id": i, "x": x, "y": y} for i, (x, y) in enumerate(b.vertices, start=1)],
    )
    report = RoadReport(vertices=len(b.vertices), edges=len(b.edges))
    rows = []
    for gid, (u, v, tag, line, name) in enumerate(b.edges, start=1):
        metres = sum(_m(p, q) for p, q in zip(line, line[1:], strict=False))
        seconds = metres / (50.0 / 3.6)  # osm2pgrouting's default: 50 km/h for every class
        report.km += metres / 1000
        report.tracks += tag is TRACK
        rows.append(
            {
                "gid": gid,
                "tag": tag[0],
                "len": metres / 111_000.0,
                "m": metres,
                "name": name or None,
                "u": u,
                "v": v,
                "s": seconds,
                "x1": line[0][0],
                "y1": line[0][1],
                "x2": line[-1][0],
                "y2": line[-1][1],
                "wkt": "LINESTRING(" + ",".join(f"{x:.7f} {y:.7f}" for x, y in line) + ")",
            }
        )
    session.execute(
        text(
            f"INSERT INTO {SCHEMA}.ways (gid, tag_id, length, length_m, name, source, target, "
            "cost, reverse_cost, cost_s, reverse_cost_s, one_way, oneway, x1, y1, x2, y2, "
            "the_geom) VALUES (:gid, :tag, :len, :m, :name, :u, :v, :len, :len, :s, :s, 0, "
            "'UNKNOWN', :x1, :y1, :x2, :y2, ST_GeomFromText(:wkt, 4326))"
        ),
        rows,
    )
    for statement in _INDEXES:
        session.execute(text(statement))
    session.execute(text(f"ANALYZE {SCHEMA}.ways"))
    session.execute(text(f"ANALYZE {SCHEMA}.ways_vertices_pgr"))
    return report
