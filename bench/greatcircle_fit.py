"""Calibrate the great-circle estimate on a real road network: prints figures, is not a test.

The Andorra extract of /work/shared/data/osm is imported with osm2pgrouting into the
scratch database ``arrears_gc_roads`` (schema ``roads``) when it is missing. Households are
random road vertices moved up to ``--jitter-m`` metres, as in ``bench/plan_roads.py``; every
ordered pair that ``PgRoutingProvider`` routes (snapping legs at the mode's access speed
and the per-leg overhead included) is compared with the great-circle estimate, by
great-circle distance bucket: mean and median of road seconds / estimated seconds, the
summed road seconds over the summed estimate (what a route of such legs is off by) and the
mean absolute error, for the old model (flat detour 1.6, no access leg) and the current
defaults of ``GreatCircleProvider``. The snapping distances, from which ``access_m`` is
taken, are printed too, and the summed ratio over each household's 10 nearest neighbours,
the legs a planner strings together (a distance-only estimate cannot see that a near
neighbour is often across a ridge or a stream).

``--fit`` also measures a second, independent set of households and grid-searches the short
detour and its half distance there (long-leg detour and access fixed), so that the table is
printed on households the fit did not see.

Usage::

    .venv/bin/python -m bench.greatcircle_fit          # before / after table, 1,000 households
    .venv/bin/python -m bench.greatcircle_fit --fit    # and the grid search on other households
"""

from __future__ import annotations

import argparse
import itertools
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, create_engine

from bench.matrix import ensure_network, household_points
from core.models import TravelMode
from geo.travel import (
    DEFAULT_DETOUR_FACTOR,
    DEFAULT_PROFILES,
    GreatCircleProvider,
    PgRoutingProvider,
    RoadNetwork,
    haversine_m,
)
from geo.travel.pgrouting import snap_points
from geo.travel.protocol import BoolMatrix, FloatMatrix

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/arrears_gc_roads"
EDGES_M = (0.0, 250.0, 500.0, 1_000.0, 2_000.0, 5_000.0, math.inf)
NEIGHBOURS = 10
"""Nearest households per household in the neighbour table: the legs a planner strings."""
OLD = GreatCircleProvider(
    DEFAULT_DETOUR_FACTOR, short_detour_factor=DEFAULT_DETOUR_FACTOR, access_m=0.0
)
"""The model before the recalibration: a flat detour of 1.6 and no access leg."""


def describe(p: GreatCircleProvider) -> str:
    """The model's parameters in words."""
    return (
        f"detour {p.short_detour_factor:g} -> {p.detour_factor:g} (halfway at "
        f"{p.detour_half_m:g} m), access {p.access_m:g} m per leg end"
    )


@dataclass(frozen=True)
class Legs:
    """Routed ordered pairs of distinct households for one mode."""

    distance_m: FloatMatrix
    road_s: FloatMatrix
    neighbour: BoolMatrix  # the pair joins a household to one of its NEIGHBOURS nearest
    snap_m: FloatMatrix  # per household, inf where not snapped


def measure(conn: Connection, n: int, seed: int, jitter_m: float) -> dict[TravelMode, Legs]:
    """Route ``n`` random households on every mode; keep the routed pairs."""
    points = household_points(conn, n, np.random.default_rng(seed), jitter_m)
    lonlat = np.array(points)
    d = haversine_m(lonlat)
    off = ~np.eye(n, dtype=bool) & (d > 0.0)
    nearest = np.argsort(np.where(off, d, np.inf), axis=1)[:, :NEIGHBOURS]
    neighbour = np.zeros((n, n), dtype=bool)
    neighbour[np.arange(n)[:, None], nearest] = True
    out = {}
    for mode in TravelMode:
        t0 = time.perf_counter()
        road = PgRoutingProvider(conn).partial_matrix(points, mode).seconds
        _, snap = snap_points(conn, RoadNetwork(), lonlat, DEFAULT_PROFILES[mode])
        ok = off & ~np.isnan(road)
        out[mode] = Legs(d[ok], road[ok], neighbour[ok], snap)
        print(f"  {mode.value}: {ok.sum():,} routed pairs in {time.perf_counter() - t0:.1f} s")
    return out


def buckets(d: FloatMatrix) -> Iterator[tuple[str, FloatMatrix]]:
    """Label and mask of each distance bucket, then of all legs."""
    for lo, hi in itertools.pairwise(EDGES_M):
        if lo == 0.0:
            label = f"< {hi:g} m"
        else:
            label = f"> {lo:g} m" if hi == math.inf else f"{lo:g}-{hi:g} m"
        yield label, (d >= lo) & (d < hi)
    yield "all", np.ones_like(d, dtype=bool)


def estimate_s(provider: GreatCircleProvider, legs: Legs, mode: TravelMode) -> FloatMatrix:
    """The provider's seconds for the legs' great-circle distances."""
    return provider.estimate(legs.distance_m, DEFAULT_PROFILES[mode])[0]


def misfit(provider: GreatCircleProvider, sample: dict[TravelMode, Legs]) -> float:
    """Sum over modes and buckets of log(summed road seconds / summed estimate) squared."""
    total = 0.0
    for mode, legs in sample.items():
        est = estimate_s(provider, legs, mode)
        for label, b in buckets(legs.distance_m):
            if label != "all" and b.any():
                total += math.log(legs.road_s[b].sum() / est[b].sum()) ** 2
    return total


def snapping(sample: dict[TravelMode, Legs]) -> None:
    """Print the snapping distances (the access legs of the road provider)."""
    detour = RoadNetwork().access_detour
    print("| mode | snapped | median | mean | p90 | median x access_detour |")
    print("|---|---:|---:|---:|---:|---:|")
    for mode, legs in sample.items():
        s = legs.snap_m[np.isfinite(legs.snap_m)]
        print(
            f"| {mode.value} | {s.size} / {legs.snap_m.size} | {np.median(s):.0f} m | "
            f"{s.mean():.0f} m | {np.percentile(s, 90):.0f} m | {np.median(s) * detour:.0f} m |"
        )


def table(sample: dict[TravelMode, Legs], new: GreatCircleProvider) -> None:
    """Per mode and bucket: road / estimate ratios and errors, old model -> ``new``."""
    print(
        "| mode | great-circle | pairs | mean ratio | median ratio | summed road / estimate "
        "| MAE s |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for mode, legs in sample.items():
        before, after = estimate_s(OLD, legs, mode), estimate_s(new, legs, mode)
        for label, b in buckets(legs.distance_m):
            cells = []
            for est in (before, after):
                r = legs.road_s[b] / est[b]
                cells.append(
                    (
                        r.mean(),
                        np.median(r),
                        legs.road_s[b].sum() / est[b].sum(),
                        np.abs(legs.road_s[b] - est[b]).mean(),
                    )
                )
            (m0, q0, s0, e0), (m1, q1, s1, e1) = cells
            print(
                f"| {mode.value} | {label} | {b.sum():,} | {m0:.2f} → {m1:.2f} | "
                f"{q0:.2f} → {q1:.2f} | {s0:.2f} → {s1:.2f} | {e0:.0f} → {e1:.0f} |"
            )


def neighbour_table(sample: dict[TravelMode, Legs], new: GreatCircleProvider) -> None:
    """Summed road / estimate over each household's nearest neighbours, old -> ``new``."""
    labels = [label for label, _ in buckets(np.zeros(1))]
    print(f"| mode | {' | '.join(labels)} |")
    print(f"|---|{'---:|' * len(labels)}")
    for mode, legs in sample.items():
        before, after = estimate_s(OLD, legs, mode), estimate_s(new, legs, mode)
        cells = []
        for _, b in buckets(legs.distance_m):
            b = b & legs.neighbour
            road = legs.road_s[b].sum()
            cells.append(
                f"{road / before[b].sum():.2f} → {road / after[b].sum():.2f} ({b.sum():,})"
                if b.sum() >= 20
                else "-"
            )
        print(f"| {mode.value} | {' | '.join(cells)} |")


def fit(sample: dict[TravelMode, Legs], base: GreatCircleProvider) -> GreatCircleProvider:
    """Grid-search the short detour and half distance, keeping ``base``'s other values."""
    best: tuple[float, GreatCircleProvider] | None = None
    for short in np.arange(base.detour_factor, 4.01, 0.1):
        for half in (250.0, 500.0, 1_000.0, 1_500.0, 2_000.0, 3_000.0, 4_000.0, 6_000.0):
            p = GreatCircleProvider(
                base.detour_factor,
                short_detour_factor=round(float(short), 2),
                detour_half_m=half,
                access_m=base.access_m,
            )
            score = misfit(p, sample)
            if best is None or score < best[0]:
                best = (score, p)
    assert best is not None
    print(f"best fit: {describe(best[1])} (misfit {best[0]:.4f})")
    print(f"defaults: misfit {misfit(base, sample):.4f}; old model: {misfit(OLD, sample):.4f}")
    return best[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=URL)
    ap.add_argument("--households", type=int, default=1_000)
    ap.add_argument("--jitter-m", type=float, default=300.0)
    ap.add_argument("--seed", type=int, default=12, help="households of the table")
    ap.add_argument("--fit", action="store_true", help="grid search on other households")
    ap.add_argument("--fit-seed", type=int, default=11)
    args = ap.parse_args()
    ensure_network(args.url)
    engine = create_engine(args.url)
    new = GreatCircleProvider()
    with engine.connect() as conn:
        if args.fit:
            print(f"fit sample: {args.households} households, seed {args.fit_seed}")
            new = fit(measure(conn, args.households, args.fit_seed, args.jitter_m), new)
        print(f"table sample: {args.households} households, seed {args.seed}")
        sample = measure(conn, args.households, args.seed, args.jitter_m)
    engine.dispose()
    print(f"\nold: {describe(OLD)}\nnew: {describe(new)}\n")
    snapping(sample)
    print()
    table(sample, new)
    print(f"\nThe same, summed road / estimate, pairs to each household's {NEIGHBOURS} nearest:\n")
    neighbour_table(sample, new)


if __name__ == "__main__":
    main()
