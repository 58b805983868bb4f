"""Time a full station plan and a one-collector re-plan on the demo county: prints figures.

Works on a copy of the seeded demo database (``arrears_dev`` -> ``arrears_plan_dev``, made
with ``CREATE DATABASE ... TEMPLATE`` when missing and migrated to head), so the demo itself
is never written. The plan is stored and rolled back unless ``--keep``.

Usage::

    .venv/bin/python bench/plan_demo.py                      # 景村 station, 30 s budget
    .venv/bin/python bench/plan_demo.py --time-limit 10 --replan-limit 5 --keep

Figures are noisy on a shared 2-core machine: run twice and compare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import create_engine, make_url, select
from sqlalchemy.orm import Session

from core.db import upgrade_database
from core.models import Station
from core.planning import compute_plan
from core.planning.draft import PlanDraft, PlanRequest
from core.planning.priors import Priors
from core.planning.versions import store_plan

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/arrears_plan_dev"


def ensure_copy(url: str, template: str) -> None:
    """Create the database as a copy of ``template`` if it is missing, then migrate it."""
    u = make_url(url)
    admin = u.set(database="postgres", drivername="postgresql").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (u.database,)
        ).fetchone():
            conn.execute(f'CREATE DATABASE "{u.database}" TEMPLATE "{template}"')
    upgrade_database(url)


def report(label: str, draft: PlanDraft, wall: float) -> None:
    s: dict[str, Any] = draft.summary
    stops = [len(r.stops) for r in draft.routes]
    print(f"== {label}")
    print(
        f"wall {wall:.2f} s  (gather {s['seconds']['gather']} s, "
        f"total in service {s['seconds']['total']} s, budget {s['time_limit']} s)"
    )
    print(
        f"accounts with arrears {s['accounts_with_arrears']}, modelled {s['modelled']}, "
        f"planned stops {s['planned_stops']} (per collector {stops})"
    )
    print(f"expected value {s['expected_value']} yuan; unassigned {s['unassigned_counts']}")
    for g in s["solver"]:
        print(f"  solver {g}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db-url", default=DEFAULT_URL)
    ap.add_argument("--template", default="arrears_dev")
    ap.add_argument("--station", default="LN-JINGCUN")
    ap.add_argument("--date", type=dt.date.fromisoformat, default=None)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--replan-limit", type=float, default=10.0)
    ap.add_argument("--per-collector", type=int, default=150)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="commit the plan")
    args = ap.parse_args()

    ensure_copy(args.db_url, args.template)
    engine = create_engine(args.db_url)
    with Session(engine) as session:
        station = session.scalars(select(Station).where(Station.code == args.station)).one()
        day = args.date or dt.datetime.now(ZoneInfo(station.timezone)).date() + dt.timedelta(1)
        print(f"station {station.code} {station.name}, day {day}, workers {args.workers}")
        req = PlanRequest(
            station.id,
            day,
            time_limit=args.time_limit,
            per_collector=args.per_collector,
            workers=args.workers,
        )
        t = time.monotonic()
        draft = compute_plan(session, req)
        report("full station plan", draft, time.monotonic() - t)
        t = time.monotonic()
        plan = store_plan(session, draft, job_id=None, created_by=None)
        print(f"stored plan {plan.id} v{plan.version} in {time.monotonic() - t:.2f} s")

        first = min(r.collector_id for r in draft.routes)
        req1 = PlanRequest(
            station.id,
            day,
            collector_ids=(first,),
            time_limit=args.replan_limit,
            per_collector=args.per_collector,
            workers=args.workers,
        )
        t = time.monotonic()
        draft1 = compute_plan(session, req1)
        report(
            f"one collector, priors from the station (collector {first})",
            draft1,
            time.monotonic() - t,
        )
        # A re-plan values the collector's own accounts against the priors its base plan kept.
        kept = Priors.from_json(draft.summary["value_model"]["priors"])  # type: ignore[index]
        t = time.monotonic()
        draft2 = compute_plan(session, replace(req1, priors=kept))
        report(
            f"one-collector re-plan, the plan's priors (collector {first})",
            draft2,
            time.monotonic() - t,
        )
        if args.keep:
            session.commit()
        else:
            session.rollback()
    engine.dispose()


if __name__ == "__main__":
    main()
