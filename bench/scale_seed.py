"""Issue 17, point 2: how long the scale county takes to build (``demo/scale.py``).

Fills the empty, migrated database at ``DATABASE_URL`` (``flask db ensure`` first) as
``flask demo scale`` does, then VACUUMs and ANALYZEs it, and prints the seconds of each
step, the rows, the database's size and the machine's load before and after. The PostgreSQL
backend doing the work is reniced (``--nice``, when PostgreSQL runs on this machine and
this user may), since niceing this client alone would leave the real work at full
priority; index builds run in that backend alone (no parallel maintenance workers), so
its CPU time, printed too, is what the build costs whatever else the machine runs.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/arrears_scale \\
        .venv/bin/flask --app api:create_app db ensure
    DATABASE_URL=... nice .venv/bin/python bench/scale_seed.py --accounts 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.cli.demo import SCALE_PASSWORD  # noqa: E402
from core.db import vacuum_database  # noqa: E402
from demo.scale import seed_scale  # noqa: E402


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a local process so far (None if not readable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--stations", type=int, default=20)
    parser.add_argument("--collectors", type=int, default=200)
    parser.add_argument("--nice", type=int, default=10, help="niceness of the backend")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    engine = create_engine(url)
    print(f"before: {_load()}", flush=True)
    started = time.monotonic()
    with engine.begin() as conn:
        if conn.execute(text("SELECT count(*) FROM station")).scalar_one():
            sys.exit("the database is not empty (make a fresh one with `flask db ensure`)")
        backend = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
        try:
            os.setpriority(os.PRIO_PROCESS, backend, args.nice)
            print(f"backend {backend} at nice {args.nice}", flush=True)
        except OSError as exc:
            print(f"backend {backend} not reniced ({exc})", flush=True)
        conn.execute(text("SET max_parallel_maintenance_workers = 0"))
        cpu_from = _cpu_seconds(backend)
        wal_from = conn.execute(text("SELECT pg_current_wal_lsn()")).scalar_one()
        report = seed_scale(
            conn,
            # as `flask demo scale` does: bench/scale_queries.py logs in
            PasswordHasher().hash(SCALE_PASSWORD),
            accounts=args.accounts,
            stations=args.stations,
            collectors=args.collectors,
            today=dt.datetime.now(ZoneInfo("Asia/Shanghai")).date(),
        )
        cpu_to = _cpu_seconds(backend)
    loaded = time.monotonic() - started
    # What autovacuum would give a live database in time: without it, the first reads
    # check every row against the commit log and index-only scans read the heap
    # (a station's workload: backend CPU 451 -> 275 ms on the 1M county).
    vacuum_database(url)
    # The SSD setting docs/scaling.md asks of a deployment ("Planner settings on SSD
    # storage"): with the default 4 a station's reads scan the county's tables.
    with engine.begin() as conn:
        name = conn.execute(text("SELECT current_database()")).scalar_one()
        conn.execute(text(f'ALTER DATABASE "{name}" SET random_page_cost = 1.1'))
    total = time.monotonic() - started
    with engine.connect() as conn:
        size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        wal = conn.execute(
            text("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), :lsn)"), {"lsn": wal_from}
        ).scalar_one()
    engine.dispose()
    print(
        f"{report.accounts} accounts, {report.stations} stations, {report.collectors} "
        f"collectors, {report.bills} bills, {report.payments} payments (each allocated "
        f"and audited)"
    )
    print("steps (s): " + ", ".join(f"{k} {v}" for k, v in report.seconds.items()))
    print(
        f"loaded and committed in {loaded:.1f} s, VACUUM (ANALYZE) {total - loaded:.1f} s, "
        f"total {total:.1f} s ({total / 60:.1f} min); database {size / 2**30:.2f} GiB, "
        f"WAL written meanwhile {float(wal) / 2**30:.2f} GiB (the whole cluster's)"
    )
    if cpu_from is not None and cpu_to is not None:
        print(f"CPU time of the loading backend: {cpu_to - cpu_from:.1f} s")
    print("random_page_cost = 1.1 set on the database (docs/scaling.md, SSD storage)")
    print(f"after: {_load()}")


if __name__ == "__main__":
    main()
