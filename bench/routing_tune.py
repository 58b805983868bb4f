"""Compare OR-Tools search configurations of ``routing`` on Solomon instances.

Each configuration runs alone on one core (single worker) for the given time; two
configurations run side by side on the two cores. Prints the gap per instance and the mean.

Usage::

    .venv/bin/python bench/routing_tune.py --only R1,RC1 --time-limit 10 \
        --configs PARALLEL_CHEAPEST_INSERTION/GUIDED_LOCAL_SEARCH/ils=1,\
LOCAL_CHEAPEST_INSERTION/GUIDED_LOCAL_SEARCH

A configuration is FIRST_SOLUTION/METAHEURISTIC[/ils=1][/search_parameter=value...].
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from solomon import DEFAULT_DIR, _bks, read_instance  # noqa: E402

from routing._ortools import SearchConfig, search  # noqa: E402
from routing.reasons import precheck  # noqa: E402


def _one(path: Path, config: SearchConfig, seconds: float, seed: int) -> tuple[int, int]:
    problem = read_instance(path)
    eligible, _ = precheck(problem)
    raw = search(problem, eligible, config, time.time() + seconds, seed, None, {})
    routed = sum(len(r) for r in raw.routes)
    cost = 0
    for k, route in enumerate(raw.routes):
        loc = problem.vehicles[k].start
        for i in route:
            cost += problem.cost(loc, problem.stops[i].location)
            loc = problem.stops[i].location
        if route:
            cost += problem.cost(loc, 0)
    return cost, len(problem.stops) - routed


def main() -> int:
    """Run the comparison."""
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--only", default="")
    parser.add_argument("--configs", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    configs = []
    for text in args.configs.split(","):
        parts = text.split("/")
        opts = dict(p.split("=", 1) for p in parts[2:] if "=" in p)
        ils = opts.pop("ils", "0") == "1"
        overrides = tuple((k, float(v)) for k, v in opts.items())
        configs.append(SearchConfig(parts[0], parts[1], ils=ils, overrides=overrides))
    bks = _bks(args.directory)
    only = [x for x in args.only.split(",") if x]
    gaps: dict[int, list[float]] = {i: [] for i in range(len(configs))}
    ctx = multiprocessing.get_context("fork")
    for path in sorted(args.directory.glob("*.vrptw")):
        name = path.name.split(".")[0]
        if only and not any(name == o or name[:-2] == o for o in only):
            continue
        with ProcessPoolExecutor(2, mp_context=ctx) as pool:
            futs = [pool.submit(_one, path, c, args.time_limit, args.seed) for c in configs]
            res = [f.result() for f in futs]
        cells = []
        for i, (cost, missing) in enumerate(res):
            gap = 100 * (cost - bks[name]) / bks[name]
            if not missing:
                gaps[i].append(gap)
            cells.append(f"{gap:+6.2f}%" + (f"(-{missing})" if missing else ""))
        print(name, *cells, flush=True)
    for i, c in enumerate(configs):
        g = gaps[i]
        print(c, f"mean {sum(g) / max(len(g), 1):.2f}% on {len(g)} feasible")
    return 0


if __name__ == "__main__":
    sys.exit(main())
