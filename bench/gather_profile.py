"""Issue 17, point 3: where a station plan's gather spends its time, and a fingerprint of
what it gathered (so a faster gather can be shown to gather the same).

Runs ``core.planning.compute.gather`` for one station and day against ``DATABASE_URL``
(read only: the session is rolled back), ``--repeat`` times, and prints per run the wall
time, this process's CPU, the backend's CPU (a local server), the SQL statements' wall
time (the slowest three named by their first line) and a SHA-256 of the result: the
chosen candidates (every field: account, amounts, rates, prize, priority, today's share,
call, helpers), the left-outs, the rolling horizon's week, the call lists, the pace and
the call spots. ``--profile`` adds a cProfile of one more run (own time, top ``--top``).

    ARREARS_DEMO=true DATABASE_URL=.../arrears_scale nice -n 10 \\
        .venv/bin/python bench/gather_profile.py --station SC-00 --date 2026-12-05 --repeat 3
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import os
import pstats
import re
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_queries import BackendCPU  # noqa: E402

from api import create_app  # noqa: E402
from core.planning.compute import Gathered, gather  # noqa: E402
from core.planning.draft import PlanRequest  # noqa: E402


def fingerprint(g: Gathered) -> str:
    """SHA-256 of everything the plan is built from (reprs: floats to the last bit;
    the addresses in ORM objects' reprs left out)."""
    h = hashlib.sha256()
    for part in (
        g.chosen,
        g.left,
        g.rolled.week() if g.rolled is not None else None,
        g.rolled.capacity if g.rolled is not None else None,
        g.calls,
        g.pace,
        g.call_spots,
        g.n_arrears,
        [c.id for c in g.collectors],
        g.vehicles,
        g.priors.to_json(),
    ):
        h.update(re.sub(" at 0x[0-9a-f]+", "", repr(part)).encode())  # ORM objects' reprs
        h.update(b"\0")
    return h.hexdigest()


class Statements:
    """Wall time of each SQL statement run on ``engine``."""

    def __init__(self, engine: Any) -> None:
        self.times: list[tuple[float, str]] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        conn.info["t0"] = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        took = time.perf_counter() - conn.info.pop("t0", time.perf_counter())
        self.times.append((took, " ".join(statement.split())[:90]))


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--station", default="SC-00", help="station code")
    parser.add_argument("--date", default="", help="plan date (default: tomorrow in Shanghai)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one more run")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    day = (
        dt.date.fromisoformat(args.date)
        if args.date
        else dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() + dt.timedelta(days=1)
    )
    app = create_app()
    engine = app.extensions["db_engine"]
    backend = BackendCPU(engine)
    sql = Statements(engine)
    with engine.connect() as conn:
        station_id = conn.execute(
            text("SELECT id FROM station WHERE code = :c"), {"c": args.station}
        ).scalar_one()
    req = PlanRequest(station_id=station_id, plan_date=day)
    print(f"station {args.station} (id {station_id}), plan date {day}; {_load()}", flush=True)
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        try:
            for n in range(args.repeat + (1 if args.profile else 0)):
                profiling = n == args.repeat
                session.close()  # its connection's backend CPU is counted from checkout
                sql.times.clear()
                prof = cProfile.Profile() if profiling else None
                c0, t0, s0 = time.process_time(), time.perf_counter(), backend.seconds
                if prof is not None:
                    prof.enable()
                g = gather(session, req)
                if prof is not None:
                    prof.disable()
                took = time.perf_counter() - t0
                cpu = time.process_time() - c0
                session.close()
                slow = sorted(sql.times, reverse=True)[:3]
                print(
                    f"gather{' (profiled)' if profiling else ''} #{n + 1}: {took:6.2f} s "
                    f"(CPU: client {cpu:5.2f} s, backend {backend.seconds - s0:5.2f} s; SQL "
                    f"{sum(t for t, _ in sql.times):5.2f} s in {len(sql.times)} statements; "
                    f"{len(g.chosen)} chosen, {len(g.left)} left) sha256 {fingerprint(g)[:16]}; "
                    f"{_load()}",
                    flush=True,
                )
                for t, s in slow:
                    print(f"    {t:6.3f} s  {s}")
                if prof is not None:
                    pstats.Stats(prof).sort_stats("tottime").print_stats(args.top)
                    pstats.Stats(prof).sort_stats("cumulative").print_stats(args.top)
        finally:
            session.close()


if __name__ == "__main__":
    main()
