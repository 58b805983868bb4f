"""The planner's estimates against the demo's hidden truth, account by account.

Values every account with arrears on ``--day`` as the planner would (read only) and
compares its P(home), P(pay | home) and P(pays online by month end) with the truth's
(``demo.truth``), by hidden kind of customer and by how many visits the account's history
holds, weighted by the amount due (what a wrong estimate costs). The last table asks what
the error costs: the doors the planner's P(home) ranks first against those the truth's
P(home) would, both judged by the truth (the ``oracle-home`` variant of
``bench/month_sim.py``, without routes).

Usage::

    .venv/bin/python -m bench.estimate_truth --template arrears_msim18_rich --family rich
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from math import exp

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from core.models import Account, Station
from core.planning import candidates as cand
from core.planning.calendar import load_calendar
from core.planning.draft import PlanRequest
from core.planning.valuation import value_candidates
from core.planning.visit_value import day_mean, month_days_left
from demo.truth import FAMILIES, behaviour

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{db}"


def visits_class(n: int) -> str:
    return "0" if n == 0 else "1-2" if n <= 2 else "3-5" if n <= 5 else "6+"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--template", required=True)
    ap.add_argument("--family", default="default", choices=sorted(FAMILIES))
    ap.add_argument("--station", default="LN-JINGCUN")
    ap.add_argument("--seed", type=int, default=7, help="the demo's seed")
    ap.add_argument("--day", default="2027-01-04", type=dt.date.fromisoformat)
    ap.add_argument("--top", type=int, default=400, help="doors in the ranking comparison")
    args = ap.parse_args()
    engine = create_engine(URL.format(db=args.template))
    family = FAMILIES[args.family]
    with Session(engine) as session:
        station = session.scalars(select(Station).where(Station.code == args.station)).one()
        numbers = dict(
            session.execute(
                select(Account.id, Account.number).where(Account.station_id == station.id)
            ).all()
        )
        calendar = load_calendar(session, station.id)
        collectors = {c.id for c in cand.station_collectors(session, station.id, None)}
        req = PlanRequest(station_id=station.id, plan_date=args.day)
        cands, _left, _priors, _n = value_candidates(
            session, req, station.timezone, collectors, calendar
        )
        histories = cand.visit_histories(
            session, [c.info.id for c in cands], args.day, station.timezone, calendar=calendar
        )
    # kind / visits class -> [weight, est home, true home, est pay, true pay, accounts,
    # est P(pays online by month end), true]
    table: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0] * 8)
    horizon = month_days_left(args.day)
    rows = []
    for c in cands:
        t = behaviour(args.seed, numbers[c.info.id], family)
        ctx = calendar.context(args.day, c.info.village)
        est_home, true_home = day_mean(c.rates.home_on(ctx)), day_mean(t.home_on(ctx))
        due = float(c.due.total)
        visits = histories[c.info.id].visits if c.info.id in histories else 0
        for key in ((t.kind, visits_class(visits)), (t.kind, "all"), ("all", "all")):
            r = table[key]
            for i, v in enumerate((due, due * est_home, due * true_home)):
                r[i] += v
            r[3] += due * c.rates.p_pay
            r[4] += due * t.pay_prob
            r[5] += 1
            r[6] += due * c.rates.p_self(horizon)
            r[7] += due * (1 - exp(-t.self_rate * horizon))
        rows.append((c, t, est_home, true_home, due))
    print(f"{args.template} ({args.family}) on {args.day}: {len(cands)} candidates\n")
    print(
        "| kind | visits | accounts | due share | P(home) est | true | P(pay) est | true "
        "| P(online by month end) est | true |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    total = table[("all", "all")][0]
    for (kind, vc), r in sorted(table.items()):
        w = r[0] or 1.0
        print(
            f"| {kind} | {vc} | {r[5]:.0f} | {r[0] / total:.1%} | {r[1] / w:.3f} | "
            f"{r[2] / w:.3f} | {r[3] / w:.3f} | {r[4] / w:.3f} | {r[6] / w:.3f} | {r[7] / w:.3f} |"
        )

    # What the ranking costs: the top doors by due x P(pay) x P(home), the planner's
    # P(home) against the truth's, both judged by the truth (P(pay) the planner's).
    def worth(key_home: int) -> tuple[float, dict[str, int]]:
        ranked = sorted(rows, key=lambda x: -x[4] * x[0].rates.p_pay * x[key_home])
        top = ranked[: args.top]
        kinds: dict[str, int] = defaultdict(int)
        for _c, t, *_ in top:
            kinds[t.kind] += 1
        return sum(due * t.pay_prob * th for _c, t, _e, th, due in top), dict(kinds)

    own, own_kinds = worth(2)
    truth, truth_kinds = worth(3)
    print(f"\nTop {args.top} doors by expected value, judged by the truth:")
    print(f"- planner's P(home): {Decimal(own):,.0f} yuan expected, kinds {own_kinds}")
    print(f"- truth's P(home):   {Decimal(truth):,.0f} yuan expected, kinds {truth_kinds}")
    print(f"- the truth's ranking is worth {truth / own - 1:+.1%}")


if __name__ == "__main__":
    main()
