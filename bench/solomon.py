"""Solomon VRPTW benchmark: this planner vs PyVRP vs VROOM at the same wall-clock limit.

Reads the LKH-3-format files (never copied into the repository), builds ``routing.Problem``s
(distance = travel time = floor(10 x Euclidean), times x10, depot = node 1, fleet capped at
25, every stop mandatory), runs each solver, re-checks every solution with
``routing.check_solution`` and prints one line per instance and a table per family.

Usage::

    .venv/bin/python bench/solomon.py [DIR] [--time-limit 10] [--only C1,R2] \
        [--solvers ours,pyvrp,vroom]
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from peers import pyvrp_orders, schedule, vroom_orders  # noqa: E402

from routing import Problem, Solution, SolveParams, Stop, Vehicle, check_solution, solve  # noqa: E402

FLEET = 25
DEFAULT_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "bench" / "solomon"


def read_instance(path: Path) -> Problem:
    """Build a problem from one LKH-3 ``.vrptw`` file."""
    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = defaultdict(list)
    current = None
    for line in path.read_text().splitlines():
        parts = line.replace(":", " : ", 1).split() if ":" in line else line.split()
        if not parts or parts[0] == "EOF":
            continue
        if parts[0].endswith("_SECTION"):
            current = parts[0]
        elif len(parts) >= 3 and parts[1] == ":":
            header[parts[0]] = " ".join(parts[2:])
            current = None
        elif current:
            sections[current].append(parts)
    scale = int(header.get("SCALE", "1"))
    coords = [(float(x), float(y)) for _, x, y in sections["NODE_COORD_SECTION"]]
    demand = [int(d) for _, d in sections["DEMAND_SECTION"]]
    windows = [(int(a) * scale, int(b) * scale) for _, a, b in sections["TIME_WINDOW_SECTION"]]
    service = int(header.get("SERVICE_TIME", "0")) * scale
    matrix = [
        [math.floor(scale * math.hypot(ax - bx, ay - by)) for bx, by in coords] for ax, ay in coords
    ]
    capacity = int(header["CAPACITY"])
    fleet = tuple(Vehicle(f"v{k}", 0, 0, windows[0], capacity=capacity) for k in range(FLEET))
    stops = tuple(
        Stop(str(i + 1), i, service, (windows[i],), demand=demand[i]) for i in range(1, len(coords))
    )
    return Problem(matrix, fleet, stops)


def _bks(directory: Path) -> dict[str, int]:
    with open(directory / "bks.csv", newline="") as handle:
        return {row["instance"]: int(row["bks_x10"]) for row in csv.DictReader(handle)}


def run_solver(name: str, problem: Problem, seconds: float, seed: int = 0) -> Solution:
    """Solve with ``ours``, ``pyvrp`` or ``vroom``."""
    if name == "ours":
        return solve(problem, SolveParams(time_limit=seconds, seed=seed))
    if name == "pyvrp":
        return schedule(problem, pyvrp_orders(problem, seconds, seed))
    if name == "vroom":
        return schedule(problem, vroom_orders(problem, exploration=5, threads=2))
    raise ValueError(f"unknown solver {name}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--only", default="", help="families or instances, e.g. C1,R2,RC105")
    parser.add_argument("--solvers", default="ours,pyvrp,vroom")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    bks = _bks(args.directory)
    solvers = args.solvers.split(",")
    only = [x for x in args.only.split(",") if x]
    files = sorted(args.directory.glob("*.vrptw"))
    rows: dict[str, dict[str, list[tuple[bool, int, float, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for path in files:
        name = path.name.split(".")[0]
        family = name[: len(name) - 2]
        if only and not any(name == o or family == o for o in only):
            continue
        problem = read_instance(path)
        line = [f"{name:6s}"]
        for solver in solvers:
            t0 = time.perf_counter()
            solution = run_solver(solver, problem, args.time_limit, args.seed)
            seconds = time.perf_counter() - t0
            errors = check_solution(problem, solution)
            feasible = not errors and not solution.unassigned
            used = sum(1 for r in solution.routes if r.stops)
            cost = sum(r.cost for r in solution.routes)
            gap = 100.0 * (cost - bks[name]) / bks[name]
            rows[family][solver].append((feasible, used, gap, seconds))
            flag = "" if feasible else f" INFEASIBLE({len(solution.unassigned)} unserved"
            flag += f"; {errors[0]})" if errors else (")" if flag else "")
            line.append(f"{solver}={cost} ({gap:+.2f}%, {used} veh, {seconds:.1f}s){flag}")
        print("  ".join(line), flush=True)
    _tables(rows, solvers)
    return 0


def _tables(
    rows: dict[str, dict[str, list[tuple[bool, int, float, float]]]], solvers: list[str]
) -> None:
    print()
    print(
        "| solver | family | feasible | vehicles (mean) | mean gap % (feasible) | time s (mean) |"
    )
    print("|---|---|---|---|---|---|")
    for solver in solvers:
        gaps_all: list[float] = []
        feas_all = total_all = 0
        for family in sorted(rows):
            res = rows[family][solver]
            feas = [r for r in res if r[0]]
            gaps = [r[2] for r in feas]
            gaps_all += gaps
            feas_all += len(feas)
            total_all += len(res)
            mean_gap = f"{sum(gaps) / len(gaps):.2f}" if gaps else "-"
            print(
                f"| {solver} | {family} | {len(feas)}/{len(res)} | "
                f"{sum(r[1] for r in res) / len(res):.1f} | {mean_gap} | "
                f"{sum(r[3] for r in res) / len(res):.1f} |"
            )
        mean = f"{sum(gaps_all) / len(gaps_all):.2f}" if gaps_all else "-"
        print(f"| {solver} | all | {feas_all}/{total_all} | | {mean} | |")


if __name__ == "__main__":
    sys.exit(main())
