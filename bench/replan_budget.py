"""What a collector's mid-morning re-plan costs and earns per solver budget: prints figures.

On the demo county (a copy, see ``plan_demo.py``): plan the station's day, then for each
collector re-plan as the phone does at 10:00 from the door of the route's third stop,
the first three stops done, valuing against the plan's kept priors. For each budget it
prints the time in the service (gather + solve) and the expected recovery of the rest of
the day, so the re-plan's default budget can be chosen on figures.

Usage::

    .venv/bin/python -m bench.replan_budget --budgets 0.5 1 1.5 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from dataclasses import replace
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bench.plan_demo import DEFAULT_URL, ensure_copy
from core.models import Station
from core.planning import compute_plan
from core.planning.draft import PlanRequest
from core.planning.priors import Priors

#: The phone re-plans at this station-local hour, after this many stops.
AT_HOUR = 10
DONE = 3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db-url", default=DEFAULT_URL)
    ap.add_argument("--station", default="LN-JINGCUN")
    ap.add_argument("--plan-limit", type=float, default=10.0)
    ap.add_argument("--budgets", type=float, nargs="+", default=[0.5, 1.0, 1.5, 3.0])
    args = ap.parse_args()
    ensure_copy(args.db_url, "arrears_dev")
    engine = create_engine(args.db_url)
    with Session(engine) as session:
        station = session.scalars(select(Station).where(Station.code == args.station)).one()
        day = dt.datetime.now(ZoneInfo(station.timezone)).date() + dt.timedelta(1)
        base = compute_plan(session, PlanRequest(station.id, day, time_limit=args.plan_limit))
        kept = Priors.from_json(base.summary["value_model"]["priors"])  # type: ignore[index]
        print(f"station {station.code}, day {day}: {base.summary['planned_stops']} stops planned")
        rows: dict[float, list[tuple[float, float, float]]] = {b: [] for b in args.budgets}
        for route in base.routes:
            if len(route.stops) <= DONE:
                continue
            here = route.stops[DONE - 1]
            req = PlanRequest(
                station.id,
                day,
                collector_ids=(route.collector_id,),
                start_at={route.collector_id: here.lonlat},
                start_time={route.collector_id: AT_HOUR * 3600},
                exclude_accounts=frozenset(s.account_id for s in route.stops[:DONE]),
                priors=kept,
            )
            for budget in args.budgets:
                t = time.monotonic()
                draft = compute_plan(session, replace(req, time_limit=budget))
                wall = time.monotonic() - t
                gather = float(draft.summary["seconds"]["gather"])  # type: ignore[index]
                value = float(str(draft.summary["expected_value"]))
                rows[budget].append((wall, gather, value))
        best = [max(rows[b][i][2] for b in args.budgets) for i in range(len(rows[args.budgets[0]]))]
        print("budget s | re-plans | wall mean / max s | gather mean s | yuan vs best budget")
        for b in args.budgets:
            walls = [w for w, _, _ in rows[b]]
            share = sum(v for _, _, v in rows[b]) / sum(best)
            print(
                f"{b:8.1f} | {len(walls):8d} | {statistics.mean(walls):5.2f} / {max(walls):4.2f}"
                f"     | {statistics.mean(g for _, g, _ in rows[b]):13.2f} | {share:7.2%}"
            )
        session.rollback()
    engine.dispose()


if __name__ == "__main__":
    main()
