"""Benchmark the travel-matrix providers: prints figures, is not a test.

Great-circle on random points in a county-sized box, then pgRouting on the real Andorra
mountain network (2013 OSM, /work/shared/data/osm), imported with osm2pgrouting into the
scratch database ``arrears_roads_bench`` (schema ``roads``) when it is missing. Reports the
time per provider and variant (one ``pgr_dijkstraCostMatrix`` vs batched
``pgr_dijkstraCost``), how often the fallback was used, and the ratio of road to
great-circle figures to calibrate the detour factor.

Usage::

    .venv/bin/python bench/matrix.py                 # 2,000 points, all variants
    .venv/bin/python bench/matrix.py --n 500 --batches 100

Figures are noisy on a shared 2-core machine: run twice and compare.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar, cast

import numpy as np
from sqlalchemy import Connection, create_engine, make_url, text

from core.models import TravelMode
from geo.travel import (
    DEFAULT_PROFILES,
    GreatCircleProvider,
    LonLat,
    Method,
    PgRoutingProvider,
    RoadNetwork,
    WithFallback,
    haversine_m,
)
from geo.travel.network import METHODS
from geo.travel.pgr import edges_sql, vertex_matrix
from geo.travel.pgrouting import snap_points

OSM_GZ = Path("/work/shared/data/osm/andorra-20130528.osm.gz")
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/arrears_roads_bench"
SCHEMA = "roads"
T = TypeVar("T")


def timed(fn: Callable[[], T], repeat: int = 1) -> tuple[T, list[float]]:
    """Run ``fn`` ``repeat`` times; return the last result and the wall times."""
    times: list[float] = []
    result: T | None = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    assert result is not None
    return result, times


def fmt(times: list[float]) -> str:
    """Best and median of wall times."""
    return f"best {min(times):.3f} s, median {statistics.median(times):.3f} s ({len(times)} runs)"


def county_points(n: int, rng: np.random.Generator) -> list[LonLat]:
    """Random points in a 60 km x 50 km box in Yunnan (a mountain county)."""
    lon = rng.uniform(100.0, 100.0 + 60_000 / (111_320 * np.cos(np.radians(25.2))), n)
    lat = rng.uniform(25.0, 25.0 + 50_000 / 111_320, n)
    return [(float(x), float(y)) for x, y in zip(lon, lat, strict=True)]


def ensure_network(url: str) -> None:
    """Create the scratch database and import Andorra with osm2pgrouting if missing."""
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        if not c.scalar(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": u.database}):
            c.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()
    eng = create_engine(u, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        c.execute(text("CREATE EXTENSION IF NOT EXISTS pgrouting"))
        c.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
        present = c.scalar(text("SELECT to_regclass(:t)"), {"t": f"{SCHEMA}.ways"})
    eng.dispose()
    if present:
        return
    with tempfile.TemporaryDirectory() as tmp:
        osm = Path(tmp) / "andorra.osm"
        with gzip.open(OSM_GZ, "rb") as src, osm.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        cmd = ["osm2pgrouting", "-f", str(osm), "-c", "/usr/share/osm2pgrouting/mapconfig.xml"]
        cmd += ["-d", str(u.database), "-U", str(u.username or "postgres")]
        cmd += ["-h", str(u.host or "127.0.0.1"), "-p", str(u.port or 5432)]
        cmd += ["--schema", SCHEMA, "--clean"]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        print(f"imported {OSM_GZ.name} with osm2pgrouting in {time.perf_counter() - t0:.1f} s")


def household_points(
    conn: Connection, n: int, rng: np.random.Generator, jitter_m: float
) -> list[LonLat]:
    """Random road vertices moved up to ``jitter_m`` in a random direction (households)."""
    rows = conn.execute(
        text(f"SELECT ST_X(the_geom), ST_Y(the_geom) FROM {SCHEMA}.ways_vertices_pgr")
    )
    verts = np.array(rows.all(), dtype=np.float64)
    pick = verts[rng.integers(0, len(verts), n)]
    r = jitter_m * np.sqrt(rng.uniform(0, 1, n))
    a = rng.uniform(0, 2 * np.pi, n)
    lat = pick[:, 1] + r * np.sin(a) / 111_320
    lon = pick[:, 0] + r * np.cos(a) / (111_320 * np.cos(np.radians(pick[:, 1])))
    return [(float(x), float(y)) for x, y in zip(lon, lat, strict=True)]


def box_points(conn: Connection, n: int, rng: np.random.Generator) -> list[LonLat]:
    """Uniform random points in the network's extent (many in roadless mountains)."""
    x0, y0, x1, y1 = conn.execute(
        text(
            f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
            f"FROM (SELECT ST_Extent(the_geom) AS e FROM {SCHEMA}.ways) s"
        )
    ).one()
    return [
        (float(x), float(y))
        for x, y in zip(rng.uniform(x0, x1, n), rng.uniform(y0, y1, n), strict=True)
    ]


def calibration(
    points: list[LonLat], road_s: np.ndarray, road_m: np.ndarray, mode: TravelMode
) -> None:
    """Print road / great-circle ratios over routed cells with legs longer than 1 km."""
    gc_m = haversine_m(np.array(points))
    gc = GreatCircleProvider().matrix(points, mode)
    ok = ~np.isnan(road_s) & (gc_m > 1000.0)
    if not ok.any():
        print("  no routed legs over 1 km")
        return
    dist_ratio = road_m[ok] / gc_m[ok]
    time_ratio = road_s[ok] / gc.seconds[ok]
    q = np.percentile(dist_ratio, [10, 50, 90])
    print(
        f"  road metres / great-circle metres (legs > 1 km, {ok.sum():,} cells): "
        f"p10 {q[0]:.2f}  median {q[1]:.2f}  p90 {q[2]:.2f}  mean {dist_ratio.mean():.2f}"
    )
    routed = ~np.isnan(road_s)
    for lo, hi in [(1e2, 1e3), (1e3, 5e3), (5e3, 15e3), (15e3, 1e9)]:
        band = routed & (gc_m >= lo) & (gc_m < hi)
        if band.any():
            r = road_m[band] / gc_m[band]
            print(
                f"    great-circle {lo / 1e3:g}-{min(hi, 1e6) / 1e3:g} km ({band.sum():,} cells): "
                f"median {np.median(r):.2f}  mean {r.mean():.2f}"
            )
    tq = np.percentile(time_ratio, [10, 50, 90])
    print(
        f"  road seconds / great-circle seconds (default estimate, long-leg detour "
        f"{gc_detour():g}): "
        f"p10 {tq[0]:.2f}  median {tq[1]:.2f}  p90 {tq[2]:.2f}"
    )


def gc_detour() -> float:
    """The great-circle provider's default long-leg detour factor."""
    return GreatCircleProvider().detour_factor


def bench_greatcircle(n: int, rng: np.random.Generator) -> None:
    """Time the great-circle provider on random county points."""
    points = county_points(n, rng)
    provider = GreatCircleProvider()
    for mode in TravelMode:
        m, times = timed(lambda mode=mode: provider.matrix(points, mode), repeat=5)
        print(
            f"great-circle {n}x{n} {mode.value:<9}: {fmt(times)}; "
            f"mean {m.seconds.mean() / 60:.1f} min, {m.metres.mean() / 1000:.1f} km"
        )


def bench_pgrouting(
    url: str,
    n: int,
    rng: np.random.Generator,
    variants: list[tuple[Method, int | None]],
    modes: list[TravelMode],
    jitter_m: float,
) -> None:
    """Time the pgRouting provider, its variants, the fallback share and the calibration."""
    eng = create_engine(url)
    with eng.connect() as conn:
        households = household_points(conn, n, rng, jitter_m)
        vertices = household_points(conn, n, rng, 0.0)
        box = box_points(conn, n, rng)
        base = RoadNetwork(schema=SCHEMA)
        fallback = GreatCircleProvider()
        for mode in modes:
            profile = DEFAULT_PROFILES[mode]
            _, times = timed(lambda p=profile: snap_points(conn, base, np.array(households), p))
            print(f"snap {n} points to vertices ({mode.value}): {fmt(times)}")
            reference: np.ndarray | None = None
            for method, batch in variants:
                net = replace(base, method=method, batch_size=batch)
                label = f"{method}" + ("" if method == "costmatrix" else f", batch {batch}")
                provider = WithFallback(PgRoutingProvider(conn, net), fallback)
                m, times = timed(lambda p=provider, mode=mode: p.matrix(households, mode))
                if reference is None:
                    reference = m.seconds
                diff = int(np.abs(m.seconds.astype(np.int64) - reference).max())
                print(
                    f"pgRouting {n}x{n} {mode.value:<9} households ({label}): {fmt(times)}; "
                    f"fallback cells {m.estimated_share:.1%}; max diff to first {diff} s"
                )
            partial = PgRoutingProvider(conn, base).partial_matrix(households, mode)
            print("  calibration on households (snapping legs included):")
            calibration(households, partial.seconds, partial.metres, mode)
            on_road = PgRoutingProvider(conn, base).partial_matrix(vertices, mode)
            print("  calibration on road vertices (network circuity only):")
            calibration(vertices, on_road.seconds, on_road.metres, mode)
            exact = replace(base, exact_metres=True)
            pe, times = timed(
                lambda mode=mode, net=exact: PgRoutingProvider(conn, net).partial_matrix(
                    households, mode
                )
            )
            print(f"  exact_metres (second length_m matrix): {fmt(times)}")
            dm = np.nanmax(np.abs(pe.metres - partial.metres))
            print(f"  max |speed-derived - exact| metres: {dm:.0f}")
            m, times = timed(
                lambda mode=mode: WithFallback(PgRoutingProvider(conn, base), fallback).matrix(
                    box, mode
                )
            )
            print(
                f"pgRouting {n}x{n} {mode.value:<9} uniform box points: {fmt(times)}; "
                f"fallback cells {m.estimated_share:.1%}"
            )
    eng.dispose()


def bench_grid(
    url: str, side: int, n: int, rng: np.random.Generator, variants: list[tuple[Method, int | None]]
) -> None:
    """Time the vertex matrix on a synthetic side x side grid (a county-sized worst case).

    Grids have no dead ends and long shortest paths, so they are slower than real road
    networks of the same size; the schema ``bench_grid`` is dropped afterwards.
    """
    eng = create_engine(url)
    with eng.begin() as c:
        c.execute(text("DROP SCHEMA IF EXISTS bench_grid CASCADE"))
        c.execute(text("CREATE SCHEMA bench_grid"))
        c.execute(
            text(
                "CREATE TABLE bench_grid.ways AS SELECT row_number() OVER ()::bigint AS gid, "
                "a::bigint AS source, b::bigint AS target, l / 13.9 AS cost_s, "
                "l / 13.9 AS reverse_cost_s, l AS length_m FROM ("
                "SELECT i * :s + j + 1 AS a, (i + 1) * :s + j + 1 AS b, 500 + random() * 300 AS l "
                "FROM generate_series(0, :s - 2) i, generate_series(0, :s - 1) j UNION ALL "
                "SELECT i * :s + j + 1, i * :s + j + 2, 500 + random() * 300 "
                "FROM generate_series(0, :s - 1) i, generate_series(0, :s - 2) j) e"
            ),
            {"s": side},
        )
        n_edges = c.scalar(text("SELECT count(*) FROM bench_grid.ways"))
    net = RoadNetwork(schema="bench_grid", tag_column=None)
    edges = edges_sql(net, DEFAULT_PROFILES[TravelMode.MOTORBIKE])
    ids = np.unique(rng.integers(1, side * side + 1, n)).astype(np.int64)
    reference: np.ndarray | None = None
    with eng.connect() as c:
        for method, batch in variants:
            m, times = timed(
                lambda method=method, batch=batch: vertex_matrix(c, edges, ids, method, batch)
            )
            reference = m if reference is None else reference
            diff = float(np.nanmax(np.abs(m - reference)))
            print(
                f"grid {side}x{side} ({side * side:,} vertices, {n_edges:,} edges), "
                f"{len(ids):,} vertices: {method}"
                + ("" if method == "costmatrix" else f" batch {batch}")
                + f": {fmt(times)}; max diff {diff:g}"
            )
    with eng.begin() as c:
        c.execute(text("DROP SCHEMA bench_grid CASCADE"))
    eng.dispose()


def parse_variants(raw: list[str]) -> list[tuple[Method, int | None]]:
    """Parse ``method[:batch]`` strings."""
    out: list[tuple[Method, int | None]] = []
    for item in raw:
        method, _, batch = item.partition(":")
        if method not in METHODS:
            raise SystemExit(f"unknown method {method!r}")
        size = int(batch) if batch else 100
        out.append((cast(Method, method), size or None))
    return out


def main() -> None:
    """Parse arguments and run the benchmarks."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--url", default=DEFAULT_URL)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--variants",
        nargs="*",
        default=[
            "costmatrix",
            "dijkstracost:100",
            "drivingdistance:100",
            "drivingdistance:500",
            "auto:500",
        ],
        help="method[:batch], batch 0 = all sources in one call",
    )
    ap.add_argument("--modes", nargs="*", default=["motorbike", "car", "walk"])
    ap.add_argument("--jitter-m", type=float, default=300.0)
    ap.add_argument("--skip-pgrouting", action="store_true")
    ap.add_argument("--grid", type=int, default=0, help="also time a synthetic GRID x GRID network")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"profiles: { {m.value: p.describe() for m, p in DEFAULT_PROFILES.items()} }")
    bench_greatcircle(args.n, rng)
    if args.skip_pgrouting:
        return
    ensure_network(args.url)
    if args.grid:
        bench_grid(args.url, args.grid, args.n, rng, parse_variants(args.variants))
        return
    bench_pgrouting(
        args.url,
        args.n,
        rng,
        parse_variants(args.variants),
        [TravelMode(m) for m in args.modes],
        args.jitter_m,
    )


if __name__ == "__main__":
    main()
