"""Prize-collecting benchmark (team orienteering with time windows) and scale figures.

Synthetic collection days, generated deterministically from a seed: a station at the centre
of a 30 km square, accounts scattered around it, motorbike travel time = winding factor 1.4
x straight line at 30 km/h, service 10-20 min, prizes = expected recovery in fen (skewed,
a few large debts), 30 % of accounts home only in the morning or only in the afternoon,
shifts 08:00-17:30, optional lunch (a 1 h break starting 12:00-13:00). Arc cost = travel
seconds (1 fen per second, about 36 yuan per hour of a collector's time); the objective is
cost + prizes of skipped stops, so "prize collected" is the figure that matters.

Solvers at the same wall-clock limit: this planner, PyVRP (optional clients with prizes; it
has no breaks: on lunch days it solves the day without lunch, then the lunch is put in its
routes at the best place, dropping the least valuable stops that no longer fit), VROOM
(priorities 1-99 from the prizes, exploration 5) and a greedy "nearest of the ten largest
remaining debts". Every solution is re-checked with ``routing.check_solution``.

Usage::

    .venv/bin/python bench/routing_prize.py prize [--time-limit 10]
    .venv/bin/python bench/routing_prize.py replan      # one collector, 300 candidates, 2 s
    .venv/bin/python bench/routing_prize.py station     # 10 collectors, 2,000 candidates, 30 s
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from peers import (  # noqa: E402
    pyvrp_orders,
    schedule,
    vroom_orders,
    with_lunch,
    without_breaks,
)

from routing import (  # noqa: E402
    Break,
    Problem,
    Solution,
    SolveParams,
    Stop,
    Vehicle,
    check_solution,
    solve,
)
from routing.reasons import earliest_start  # noqa: E402

HOUR = 3600
SHIFT = (8 * HOUR, 17 * HOUR + 1800)
LUNCH = Break((12 * HOUR, 13 * HOUR), HOUR)


def make_day(
    seed: int,
    stops: int,
    vehicles: int,
    *,
    lunch: bool,
    side_km: float = 30.0,
    mandatory: int = 0,
) -> Problem:
    """A synthetic collection day (deterministic for a seed)."""
    rng = random.Random(seed)
    pts = [(side_km / 2, side_km / 2)]
    for _ in range(stops):  # villages: clustered accounts
        if rng.random() < 0.7 and len(pts) > 1:
            cx, cy = pts[rng.randrange(1, len(pts))]
            pts.append((cx + rng.gauss(0, 0.6), cy + rng.gauss(0, 0.6)))
        else:
            pts.append((rng.uniform(0, side_km), rng.uniform(0, side_km)))
    speed = 30.0 / 3600  # km per second
    matrix = [[int(1.4 * math.hypot(ax - bx, ay - by) / speed) for bx, by in pts] for ax, ay in pts]
    fleet = tuple(
        Vehicle(f"c{k}", 0, 0, SHIFT, breaks=(LUNCH,) if lunch else ()) for k in range(vehicles)
    )
    out = []
    for i in range(1, stops + 1):
        debt = int(rng.paretovariate(1.3) * 8000)  # fen
        prize = max(100, int(debt * rng.uniform(0.2, 0.8)))
        roll = rng.random()
        windows: tuple[tuple[int, int], ...] = ()
        if roll < 0.15:
            windows = ((8 * HOUR, 12 * HOUR),)
        elif roll < 0.30:
            windows = ((14 * HOUR, 17 * HOUR),)
        service = rng.choice((600, 900, 1200))
        out.append(Stop(f"a{i}", i, service, windows, prize=None if i <= mandatory else prize))
    return Problem(matrix, fleet, tuple(out))


def greedy_orders(problem: Problem, top: int = 10) -> dict[str, list[str]]:
    """Nearest of the ``top`` largest remaining debts, vehicle after vehicle; takes lunch."""
    d = problem.durations
    left = sorted(problem.stops, key=lambda s: -(s.prize or 1 << 40))
    orders: dict[str, list[str]] = {}
    for v in problem.vehicles:
        loc, t, order = v.start, v.shift[0], []
        pending = sorted(v.breaks, key=lambda b: b.window)
        while True:
            feasible = []
            for s in left:
                tt = t
                if pending:  # take the break first if this visit would reach or cross it
                    (a, b), length = pending[0].window, pending[0].duration
                    arrive = tt + d[loc][s.location]
                    if arrive > a or earliest_start(s.time_windows, arrive) + s.service > b:
                        if max(tt, a) > b:
                            continue
                        tt = max(tt, a) + length
                start = earliest_start(s.time_windows, tt + d[loc][s.location])
                back = 0 if v.end is None else d[s.location][v.end]
                if start + s.service + back > v.shift[1]:
                    continue
                feasible.append((d[loc][s.location], s.id, s, tt))
                if len(feasible) >= top:
                    break
            best = min(feasible, key=lambda x: (x[0], x[1])) if feasible else None
            if best is None:
                break
            _, _, s, tt = best
            if tt != t:
                order.append("__break__")
                pending.pop(0)
            order.append(s.id)
            t = earliest_start(s.time_windows, tt + d[loc][s.location]) + s.service
            loc = s.location
            left.remove(s)
        orders[v.id] = order
    return orders


def run(name: str, problem: Problem, seconds: float) -> tuple[Solution, float]:
    """Solve with one solver; returns the solution and the wall time."""
    t0 = time.perf_counter()
    if name == "ours":
        sol = solve(problem, SolveParams(time_limit=seconds))
    elif name == "pyvrp":  # no breaks in PyVRP: solved without, then lunch put back
        bare = without_breaks(problem, shorten=False)
        sol = schedule(problem, with_lunch(problem, pyvrp_orders(bare, seconds)))
    elif name == "vroom":
        sol = schedule(problem, vroom_orders(problem, 5, 2, seconds))
    elif name == "vroom-log":
        sol = schedule(problem, vroom_orders(problem, 5, 2, seconds, log_priorities=True))
    elif name == "greedy":
        sol = schedule(problem, greedy_orders(problem))
    else:
        raise ValueError(name)
    return sol, time.perf_counter() - t0


def prize_table(seconds: float, solvers: Sequence[str]) -> None:
    """Print prize collected per instance and solver."""
    cases = [(1, 100), (1, 200), (3, 300)]
    print(f"| day | {' | '.join(solvers)} |")
    print("|---|" + "---|" * len(solvers))
    totals = {s: 0 for s in solvers}
    for lunch in (False, True):
        for seed, (nv, n) in enumerate(cases, start=1):
            problem = make_day(seed, n, nv, lunch=lunch)
            cells = []
            for solver in solvers:
                sol, wall = run(solver, problem, seconds)
                errors = check_solution(problem, sol)
                served = sum(len(r.stops) for r in sol.routes)
                flag = "" if not errors else f" INFEASIBLE: {errors[0]}"
                totals[solver] += sol.prize_collected if not errors else 0
                cells.append(
                    f"{sol.prize_collected / 100:,.0f} yuan, {served} visits, {wall:.1f} s{flag}"
                )
            label = f"{nv} x {n}{' + lunch' if lunch else ''} (seed {seed})"
            print(f"| {label} | {' | '.join(cells)} |", flush=True)
    print(f"| total | {' | '.join(f'{totals[s] / 100:,.0f} yuan' for s in solvers)} |")


def replan(seconds: float = 2.0) -> None:
    """Re-plan one collector's afternoon: pinned visit under way, 300 candidates."""
    base = make_day(7, 300, 1, lunch=False)
    v = base.vehicles[0]
    now = 13 * HOUR
    vehicle = Vehicle(v.id, start=5, end=0, shift=(now, SHIFT[1]), pinned=("a5",))
    stops = tuple(
        Stop(
            s.id,
            s.location,
            0 if s.id == "a5" else s.service,
            () if s.id == "a5" else s.time_windows,
            prize=s.prize,
        )
        for s in base.stops
    )
    rows = [list(row) for row in base.durations]  # as read from JSON
    t0 = time.perf_counter()
    problem = Problem(rows, (vehicle,), stops)
    validated = time.perf_counter() - t0
    sol, wall = run("ours", problem, seconds - validated)
    errors = check_solution(problem, sol)
    print(
        f"re-plan 1 collector, 300 candidates, limit {seconds} s (validation included): "
        f"wall {validated:.2f} s validation + {wall:.2f} s solve = {validated + wall:.2f} s, "
        f"{len(sol.routes[0].stops)} visits, {sol.prize_collected / 100:,.0f} yuan, "
        f"feasible={not errors}"
    )


def station(seconds: float = 30.0) -> None:
    """A station day: 10 collectors with lunch, 2,000 candidates, 20 appointments.

    This planner gets ``seconds`` for validation and solving together: the problem is
    validated again from lists (as read from JSON) and the solve gets what is left.
    """
    t0 = time.perf_counter()
    day = make_day(11, 2000, 10, lunch=True, side_km=40.0, mandatory=20)
    built = time.perf_counter() - t0
    rows = [list(row) for row in day.durations]
    t0 = time.perf_counter()
    problem = Problem(rows, day.vehicles, day.stops)
    validated = time.perf_counter() - t0
    for solver in ("ours", "vroom", "vroom-log", "greedy"):
        ours = solver == "ours"
        sol, wall = run(solver, problem, seconds - validated if ours else seconds)
        errors = check_solution(problem, sol)
        served = sum(len(r.stops) for r in sol.routes)
        unserved = sum(1 for u in sol.unassigned if problem.stops[int(u.id[1:]) - 1].prize is None)
        total = f" + {validated:.2f} s validation = {wall + validated:.1f} s" if ours else ""
        reasons = Counter(str(u.reason) for u in sol.unassigned) if ours else {}
        print(
            f"station day {solver}: limit {seconds} s, wall {wall:.1f} s{total} "
            f"(+{built:.1f} s to generate the day), {served} visits, "
            f"{sol.prize_collected / 100:,.0f} yuan, mandatory unserved {unserved}, "
            f"feasible={not errors}{'' if not errors else ': ' + errors[0]}"
            f"{f', reasons {dict(reasons)}' if reasons else ''}",
            flush=True,
        )


def main() -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=("prize", "replan", "station"))
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--solvers", default="ours,pyvrp,vroom,greedy")
    args = parser.parse_args()
    if args.what == "prize":
        prize_table(args.time_limit or 10.0, args.solvers.split(","))
    elif args.what == "replan":
        replan(args.time_limit or 2.0)
    else:
        station(args.time_limit or 30.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
