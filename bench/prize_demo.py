"""Prize-collecting days of the demo county: each collector's own day, solver against solver.

Each collector-day is the ``routing.Problem`` the plan service solves when it plans that
collector alone (``core.planning.collector_problem``: the collector's territory, the
valued candidates, promises due as mandatory stops, the collector's shift and lunch, the
great-circle travel matrix). Every solver gets the same wall-clock limit and every solution
is re-timed and re-checked with ``routing.check_solution``; a solution that fails the check
scores nothing.

Solvers:

* ``ours``: ``routing.solve`` (``--workers`` processes, default 2: both cores).
* ``pyvrp``: PyVRP cannot model breaks. It solves the day without lunch, then its routes
  are repaired: the lunch is put in the best feasible gap and, while none exists, the stop
  whose removal costs the least prize (never a mandatory one) is dropped. This is the
  attainable PyVRP figure. Its no-lunch value is also printed (``pyvrp-nolunch``), as an
  unattainable reference: that plan has no lunch break.
* ``pyvrp-short``: PyVRP with the shift shortened by the lunch's length (a user's
  workaround), lunch then inserted and repaired the same way.
* ``vroom``: VROOM with the lunch as a break, priorities 1-99 from the prizes.
* ``greedy``: the habit baseline, the nearest of the ten largest remaining expected
  recoveries, lunch taken when the next visit would cross it.

Usage (the database is seeded with the demo county; never the developer's own)::

    export DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/arrears_rq_bench
    .venv/bin/flask --app api:create_app db ensure
    ARREARS_DEMO=true .venv/bin/flask --app api:create_app demo seed --accounts 5000 --seed 7
    .venv/bin/python bench/prize_demo.py --time-limit 10            # every collector
    .venv/bin/python bench/prize_demo.py --collectors 3 --solvers ours,vroom

Figures are noisy on a shared 2-core machine: note the load average with them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from peers import (  # noqa: E402
    pyvrp_orders,
    schedule,
    vroom_orders,
    with_lunch,
    without_breaks,
)
from routing_prize import greedy_orders  # noqa: E402
from sqlalchemy import create_engine, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from core.models import Station  # noqa: E402
from core.planning import candidates as cand
from core.planning import collector_problem  # noqa: E402
from core.planning.draft import PlanRequest  # noqa: E402
from routing import Problem, Solution, SolveParams, check_solution, solve  # noqa: E402

SOLVERS = ("ours", "pyvrp", "pyvrp-short", "vroom", "greedy")


def run(
    name: str, problem: Problem, seconds: float, seed: int, workers: int
) -> tuple[dict[str, Solution], float]:
    """Solve with one solver: named solutions (PyVRP's no-lunch one too) and the solver's
    wall time (PyVRP's lunch repair, bench code, not counted)."""
    t0 = time.perf_counter()
    if name == "ours":
        sol = solve(problem, SolveParams(time_limit=seconds, seed=seed, workers=workers))
        return {name: sol}, time.perf_counter() - t0
    if name in ("pyvrp", "pyvrp-short"):
        bare = without_breaks(problem, shorten=name == "pyvrp-short")
        orders = pyvrp_orders(bare, seconds, seed)
        wall = time.perf_counter() - t0
        out = {name: schedule(problem, with_lunch(problem, orders))}
        if name == "pyvrp":
            out["pyvrp-nolunch"] = schedule(bare, orders)
        return out, wall
    if name == "vroom":
        sol = schedule(problem, vroom_orders(problem, 5, 2, seconds))
    elif name == "greedy":
        sol = schedule(problem, greedy_orders(problem))
    else:
        raise ValueError(name)
    return {name: sol}, time.perf_counter() - t0


def collector_days(
    session: Session, day: dt.date | None, limit: int | None, per_collector: int
) -> list[tuple[str, Callable[[], Problem]]]:
    """(label, problem builder) of each collector of each station, by station then id."""
    out: list[tuple[str, Callable[[], Problem]]] = []
    for station in session.scalars(select(Station).order_by(Station.id)):
        plan_date = day or dt.datetime.now(ZoneInfo(station.timezone)).date() + dt.timedelta(1)
        req = PlanRequest(station.id, plan_date, per_collector=per_collector)
        for c in cand.station_collectors(session, station.id, None):
            mode = c.profile.travel_mode.value if c.profile else "motorbike"

            def build(req: PlanRequest = req, cid: int = c.id) -> Problem:
                return collector_problem(session, req, cid)

            out.append((f"{station.code} c{c.id} {mode} {plan_date}", build))
    return out[:limit] if limit else out


def main() -> int:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db-url", default=os.environ.get("DATABASE_URL"))
    ap.add_argument("--date", type=dt.date.fromisoformat, default=None)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--collectors", type=int, default=None, help="only the first N")
    ap.add_argument("--per-collector", type=int, default=150)
    ap.add_argument("--solvers", default=",".join(SOLVERS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2, help="ours: parallel searches")
    args = ap.parse_args()
    if not args.db_url:
        ap.error("set DATABASE_URL or --db-url (a database seeded with the demo county)")
    solvers = args.solvers.split(",")
    engine = create_engine(args.db_url)
    names: list[str] = []
    for s in solvers:
        names += [s, "pyvrp-nolunch"] if s == "pyvrp" else [s]
    totals = {n: [0, 0, 0.0, 0] for n in names}  # prize fen, visits, seconds, days failed
    print(f"load average at start: {os.getloadavg()}", flush=True)
    print("| collector-day (stops, mandatory) | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names), flush=True)
    # Every problem is built first: no database session stays open while solvers run.
    with Session(engine) as session:
        days = [
            (label, build())
            for label, build in collector_days(
                session, args.date, args.collectors, args.per_collector
            )
        ]
    engine.dispose()
    for label, problem in days:
        mandatory = {s.id for s in problem.stops if s.prize is None}
        cells: dict[str, str] = {}
        for solver in solvers:
            found, wall = run(solver, problem, args.time_limit, args.seed, args.workers)
            for name, sol in found.items():
                checked = problem if name != "pyvrp-nolunch" else without_breaks(problem, False)
                errors = check_solution(checked, sol)
                served = {x.id for r in sol.routes for x in r.stops}
                missed = len(mandatory - served)
                t = totals[name]
                t[1] += len(served)
                t[2] += wall
                if errors or missed:
                    t[3] += 1
                if not errors:
                    t[0] += sol.prize_collected
                flag = f" INFEASIBLE: {errors[0]}" if errors else ""
                flag += f" {missed} promises missed" if missed else ""
                cells[name] = (
                    f"{sol.prize_collected / 100:,.0f} / {len(served)} / {wall:.1f} s{flag}"
                )
        row = " | ".join(cells.get(n, "-") for n in names)
        print(f"| {label} ({len(problem.stops)}, {len(mandatory)}) | {row} |", flush=True)
    row = " | ".join(
        f"**{t[0] / 100:,.0f}** / {t[1]} / {t[2]:.0f} s" + (f" ({t[3]} failed)" if t[3] else "")
        for t in (totals[n] for n in names)
    )
    print(f"| total (yuan / visits / seconds) | {row} |")
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
