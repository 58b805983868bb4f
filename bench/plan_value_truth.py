"""Does the visit-value model pay? Score plans against the demo's hidden truth: prints figures.

The demo generator draws every visit outcome from a hidden per-account truth (P(pay when
home), P(home) per hour band: ``demo.truth``); the planner never reads it. Here the
station's day is planned twice on the ``arrears_plan_dev`` copy:

* **model**: prize = amount due x P(pay) x P(home in band), estimated from history;
* **amount only**: prize = amount due (every probability set to 1),

and each plan's stops are scored with the truth: ``amount due x truth.pay x
truth.home_at(ETA hour)``. Also reports how well the shrunk estimates track the truth
over every account the planner valued: mean absolute error, correlation, calibration by
quintile of the estimate (mean estimate vs mean truth), and whether the prize ranks the
accounts better than the amount due alone (correlation with the true one-day value
``amount x truth.pay x truth's mean P(home)``, and the true value of the top 300).

``--db`` scores another database, e.g. a month simulation's end state
(``arrears_msim_..._model``) on ``--date`` 2026-12-30: the history then holds every
failed visit of the month, which the demo's seeded history under-records.

Usage (from the repository root)::

    .venv/bin/python -m bench.plan_value_truth --time-limit 20
    .venv/bin/python -m bench.plan_value_truth --db arrears_msim_model --date 2026-12-30
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

from bench.plan_demo import DEFAULT_URL, ensure_copy
from core import planning
from core.models import Account, Station
from core.planning import PlanDraft, PlanRequest, valuation
from core.planning.visit_value import BANDS, Rates, day_mean
from demo.truth import behaviour

TOP = 300


def truth_value(draft: PlanDraft, numbers: dict[int, str], seed: int, tz: ZoneInfo) -> float:
    total = 0.0
    for r in draft.routes:
        for s in r.stops:
            t = behaviour(seed, numbers[s.account_id])
            hour = s.eta.astimezone(tz).hour
            owed = float(Decimal(str(s.explain["overdue_when_planned"])))
            total += owed * t.pay_prob * t.home_at(hour)
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db-url", default=DEFAULT_URL)
    ap.add_argument("--station", default="LN-JINGCUN")
    ap.add_argument("--seed", type=int, default=7, help="the demo's seed (flask demo seed)")
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument("--template", default="arrears_dev", help="copied to --db-url if missing")
    ap.add_argument("--db", default=None, help="score this database instead (no copy)")
    ap.add_argument("--date", type=dt.date.fromisoformat, default=None, help="plan day")
    args = ap.parse_args()
    url = args.db_url
    if args.db:
        url = url.rsplit("/", 1)[0] + "/" + args.db
    else:
        ensure_copy(url, args.template)
    engine = create_engine(url)
    with Session(engine) as session:
        station = session.scalars(select(Station).where(Station.code == args.station)).one()
        tz = ZoneInfo(station.timezone)
        day = args.date or dt.datetime.now(tz).date() + dt.timedelta(days=1)
        numbers = dict(
            session.execute(
                select(Account.id, Account.number).where(Account.station_id == station.id)
            ).all()
        )
        req = PlanRequest(station.id, day, time_limit=args.time_limit)
        model = planning.compute_plan(session, req)

        flat = Rates(1.0, (1.0,) * len(BANDS))
        with mock.patch.object(valuation, "account_estimate", lambda *a, **k: flat):
            naive = planning.compute_plan(session, req)

        # Estimates vs truth over every account the model valued (stops and unassigned).
        cands, _left, _station, _n = valuation.value_candidates(
            session,
            req,
            station.timezone,
            set(model.summary["collectors"]),  # type: ignore[arg-type]
        )
        session.rollback()
    est_pay, true_pay, est_home, true_home, prize, one_day, amount, true_value = (
        [] for _ in range(8)
    )
    for c in cands:
        t = behaviour(args.seed, numbers[c.info.id])
        est_pay.append(c.rates.p_pay)
        true_pay.append(t.pay_prob)
        est_home.append(day_mean(c.rates.p_home))
        true_home.append(day_mean(t.home_prob))
        prize.append(float(c.value.prize_fen))
        one_day.append(float(c.due.total) * c.value.p_pay * c.value.p_home)
        amount.append(float(c.due.total))
        true_value.append(float(c.due.total) * t.pay_prob * day_mean(t.home_prob))

    for label, draft in (("model", model), ("amount only", naive)):
        stops = sum(len(r.stops) for r in draft.routes)
        print(
            f"{label:12s} stops {stops:4d}  claimed expected {draft.summary['expected_value']:>12s}"
            f"  true expected {truth_value(draft, numbers, args.seed, tz):12.2f} yuan"
        )
    print(f"day {day}, {len(cands)} accounts valued")
    for name, est, true in (("p_pay", est_pay, true_pay), ("p_home", est_home, true_home)):
        mae = statistics.fmean(abs(e - t) for e, t in zip(est, true, strict=True))
        corr = statistics.correlation(est, true) if len(est) > 2 else float("nan")
        print(
            f"{name:7s} MAE {mae:.3f}, correlation {corr:.2f}, mean estimate "
            f"{statistics.fmean(est):.3f} vs truth {statistics.fmean(true):.3f}"
        )
        order = sorted(range(len(est)), key=lambda i: est[i])
        cells = []
        for q in range(5):
            part = order[q * len(order) // 5 : (q + 1) * len(order) // 5]
            if part:
                e = statistics.fmean(est[i] for i in part)
                t = statistics.fmean(true[i] for i in part)
                cells.append(f"{e:.2f}->{t:.2f}")
        print(f"        by quintile of the estimate (estimate->truth): {'  '.join(cells)}")
    best = sum(sorted(true_value, reverse=True)[:TOP])
    # The prize also discounts money expected to come by itself (p_self), which this
    # one-day truth does not: "one-day" is the prize without that factor.
    for name, score in (("prize", prize), ("one-day", one_day), ("amount due", amount)):
        corr = statistics.correlation(score, true_value) if len(score) > 2 else float("nan")
        top = sorted(range(len(score)), key=lambda i: -score[i])[:TOP]
        got = sum(true_value[i] for i in top)
        print(
            f"ranking by {name:10s}: correlation with the true one-day value {corr:.2f}, "
            f"top {TOP} hold {got:,.0f} of the best {best:,.0f} yuan"
        )
    engine.dispose()


if __name__ == "__main__":
    main()
