"""Does the visit-value model pay? Score plans against the demo's hidden truth: prints figures.

The demo generator draws every visit outcome from a hidden per-account truth (P(pay when
home), P(home) per hour band: ``api.demo.truth``); the planner never reads it. Here the
station's day is planned twice on the ``arrears_plan_dev`` copy:

* **model**: prize = amount due x P(pay) x P(home in band), estimated from history;
* **amount only**: prize = amount due (every probability set to 1),

and each plan's stops are scored with the truth: ``amount due x truth.pay x
truth.home_at(ETA hour)``. Also reports how well the shrunk estimates track the truth
over all accounts with arrears (mean absolute error, correlation).

Usage (from the repository root)::

    .venv/bin/python -m bench.plan_value_truth --time-limit 20
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.demo.truth import behaviour
from api.plans import service
from api.plans.model import PlanDraft, PlanRequest
from bench.plan_demo import DEFAULT_URL, ensure_copy
from geo.models import Account, Station
from geo.visit_value import BANDS, Rates


def truth_value(draft: PlanDraft, numbers: dict[int, str], seed: int, tz: ZoneInfo) -> float:
    total = 0.0
    for r in draft.routes:
        for s in r.stops:
            t = behaviour(seed, numbers[s.account_id])
            hour = s.eta.astimezone(tz).hour
            total += float(Decimal(str(s.explain["amount_due"]))) * t.pay_prob * t.home_at(hour)
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db-url", default=DEFAULT_URL)
    ap.add_argument("--station", default="LN-JINGCUN")
    ap.add_argument("--seed", type=int, default=7, help="the demo's seed (flask demo seed)")
    ap.add_argument("--time-limit", type=float, default=20.0)
    args = ap.parse_args()
    ensure_copy(args.db_url, "arrears_dev")
    engine = create_engine(args.db_url)
    with Session(engine) as session:
        station = session.scalars(select(Station).where(Station.code == args.station)).one()
        tz = ZoneInfo(station.timezone)
        day = dt.datetime.now(tz).date() + dt.timedelta(days=1)
        numbers = dict(
            session.execute(
                select(Account.id, Account.number).where(Account.station_id == station.id)
            ).all()
        )
        req = PlanRequest(station.id, day, time_limit=args.time_limit)
        model = service.compute_plan(session, req)

        flat = Rates(1.0, (1.0,) * len(BANDS))
        with mock.patch.object(service, "estimate", lambda *a, **k: flat):
            naive = service.compute_plan(session, req)

        # Estimates vs truth over every account the model valued (stops and unassigned).
        est_pay, true_pay, est_home, true_home = [], [], [], []
        for r in model.routes:
            for s in r.stops:
                t = behaviour(args.seed, numbers[s.account_id])
                est_pay.append(float(s.explain["p_pay"]))  # type: ignore[arg-type]
                true_pay.append(t.pay_prob)
                by_band: dict[str, float] = s.explain["p_home_by_band"]  # type: ignore[assignment]
                for i, (a, b) in enumerate(BANDS):
                    est_home.append(by_band[f"{a:02d}-{b:02d}"])
                    true_home.append(t.home_prob[i])
        session.rollback()

    for label, draft in (("model", model), ("amount only", naive)):
        stops = sum(len(r.stops) for r in draft.routes)
        print(
            f"{label:12s} stops {stops:4d}  claimed expected {draft.summary['expected_value']:>12s}"
            f"  true expected {truth_value(draft, numbers, args.seed, tz):12.2f} yuan"
        )
    for name, est, true in (("p_pay", est_pay, true_pay), ("p_home", est_home, true_home)):
        mae = statistics.fmean(abs(e - t) for e, t in zip(est, true, strict=True))
        corr = statistics.correlation(est, true) if len(est) > 2 else float("nan")
        print(f"{name:7s} over planned stops: MAE {mae:.3f}, correlation {corr:.2f} (n={len(est)})")
    engine.dispose()


if __name__ == "__main__":
    main()
