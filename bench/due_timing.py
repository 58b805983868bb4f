"""Time the set-based amount due on a demo database (best of N runs, warm).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/arrears_money_dev \
        .venv/bin/python bench/due_timing.py [--runs 5]

Times: ``bills_due`` with late fees for the biggest station, without them (what the
planner reads, ``core.planning.candidates.amounts_due``), and one collector route's worth
of accounts (35) read by ``amount_due`` one by one vs. ``dues_of`` in one query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from api import create_app
from api.db import get_session
from core.models import Account
from core.money import amount_due, dues_of
from core.money.due_sql import _bills_due, bills_due
from core.planning.candidates import amounts_due


def best(runs: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--day", type=dt.date.fromisoformat, default=None)
    args = parser.parse_args()
    app = create_app(DEMO=True)  # a demo database: the demo secret
    with app.app_context():
        session = get_session()
        station_id, n = session.execute(
            select(Account.station_id, func.count())
            .group_by(Account.station_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        day = args.day or dt.date.today()
        ids = list(
            session.scalars(
                select(Account.id).where(Account.station_id == station_id).order_by(Account.id)
            )
        )[::97][:35]

        def full() -> int:
            sub = bills_due(day, station_id=station_id)
            return len(session.execute(select(sub)).all())

        def principal_only() -> int:
            return len(amounts_due(session, day, station_id=station_id))

        def one_by_one() -> None:
            for i in ids:
                amount_due(session, i, day)

        print(f"station {station_id}: {n} accounts, day {day}, best of {args.runs}")
        print(f"  bills_due(late_fees=True), station:  {best(args.runs, full):.3f} s")
        print(f"  candidates.amounts_due, station:     {best(args.runs, principal_only):.3f} s")
        print(f"  amount_due x {len(ids)} accounts:          {best(args.runs, one_by_one):.3f} s")
        def together() -> None:
            _bills_due.cache_clear()  # each route asks for other accounts: build it anew
            dues_of(session, ids, day)

        print(f"  dues_of {len(ids)} accounts:               {best(args.runs, together):.3f} s")


if __name__ == "__main__":
    main()
