"""Issue 17, point 4: a county's next-day plans submitted at once, run in parallel.

Two parts, on the scale county at ``DATABASE_URL`` (``bench/scale_seed.py``):

``county``: starts ``--processes`` Celery worker processes (one ``celery worker
--concurrency``, nice'd) with ``PLAN_JOBS_AT_ONCE`` = processes and ``PLAN_CORES`` = this
machine's cores, submits every station's plan for tomorrow with ``--time-limit`` seconds
each as the supervisors would, rings the doorbell, and waits for the last job. Prints
each job's wait, run time and search processes (the cores' share the job chose,
core/planning/cores.py), and the county's wall time against the target (sum of the time
limits / worker processes + 10 %).

``quality``: the same days planned in-process, one station after another, with 1 and
with 2 search processes at ``--time-limit`` (and 2 at half of it: the same core-seconds
per station), and prints the expected yuan each plan collects per station: what sharing
the cores between 2 jobs costs a station's day.

    DATABASE_URL=... REDIS_URL=... ARREARS_DEMO=true \\
        nice .venv/bin/python bench/county_plans.py county --time-limit 10
    DATABASE_URL=... ARREARS_DEMO=true \\
        nice .venv/bin/python bench/county_plans.py quality --time-limit 10 --stations 6

The machine is shared: the script prints the load average before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api import create_app  # noqa: E402
from api.plans.tasks import enqueue  # noqa: E402
from core.models import Job, JobStatus  # noqa: E402
from core.planning import compute_plan, station_travel, submit_plan_job  # noqa: E402
from core.planning.cores import machine_cores  # noqa: E402
from core.planning.draft import PlanRequest  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
#: Where a job's time goes (its result's ``seconds``): gathering the candidates, the
#: travel matrix and problem, the solver's pre-check, OR-Tools' model and first solution,
#: the iterated local search, the greedy day (starved searches), the reasons of the
#: stops left out, and storing the plan.
PHASES = ("gather", "matrix", "check", "model", "first_solution", "improve", "greedy",
          "classify", "store")  # fmt: skip


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def _stations(session: Any, limit: int | None) -> list[tuple[int, str, int]]:
    """The scale stations (id, code, supervisor id), in code order."""
    rows = session.execute(
        text(
            "SELECT st.id, st.code, min(u.id) FROM station st"
            " JOIN user_station us ON us.station_id = st.id"
            " JOIN app_user u ON u.id = us.user_id AND u.role = 'supervisor'"
            " WHERE st.code LIKE 'SC-%' GROUP BY st.id, st.code ORDER BY st.code"
        )
    ).all()
    if not rows:
        sys.exit("no scale stations: build the county with bench/scale_seed.py first")
    return [(int(r[0]), str(r[1]), int(r[2])) for r in rows][:limit]


def _start_worker(processes: int, log_path: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {
        # This checkout's code (the venv may be shared with another checkout's install).
        "PYTHONPATH": str(ROOT),
        "ARREARS_PLAN_JOBS_AT_ONCE": str(processes),
        "ARREARS_PLAN_CORES": str(machine_cores()),
        "ARREARS_PLAN_SOLVER_WORKERS": str(machine_cores()),
    }
    log = log_path.open("wb")
    worker = subprocess.Popen(
        ["nice", "-n", "5", str(ROOT / ".venv/bin/celery"), "-A", "api.celery_app", "worker",
         "--loglevel=info", f"--concurrency={processes}", "--without-gossip",
         "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if b" ready." in log_path.read_bytes():
            return worker
        if worker.poll() is not None:
            sys.exit(f"the worker exited ({worker.returncode}); see {log_path}")
        time.sleep(0.5)
    worker.terminate()
    sys.exit(f"the worker did not start within 120 s; see {log_path}")


def _stop_worker(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def county(args: argparse.Namespace) -> None:
    app = create_app()
    sessions = app.extensions["db_sessionmaker"]
    tomorrow = dt.datetime.now(TZ).date() + dt.timedelta(days=1)
    with sessions() as s:
        stations = _stations(s, args.stations)
    log_path = Path(args.worker_log)
    print(f"before: {_load()}", flush=True)
    worker = _start_worker(args.processes, log_path)
    try:
        started = time.monotonic()
        with app.app_context(), sessions() as s:
            ids = [
                submit_plan_job(
                    s,
                    station_id=sid,
                    plan_date=tomorrow,
                    today=tomorrow - dt.timedelta(days=1),
                    collector_ids=None,
                    time_limit=args.time_limit,
                    created_by=supervisor,
                ).id
                for sid, _, supervisor in stations
            ]
            s.commit()
            for job_id in ids:
                enqueue(job_id)
        bound = len(ids) * args.time_limit / args.processes * 1.1
        jobs = _wait(sessions, ids, timeout=bound * 3 + 120)
        wall = time.monotonic() - started
    finally:
        _stop_worker(worker)
    codes = {sid: code for sid, code, _ in stations}
    print(f"{'station':<8} {'status':<7} {'waited s':>8} {'ran s':>6} "
          + " ".join(f"{p[:6]:>6}" for p in PHASES)
          + f" {'procs':>5} {'stops':>5} {'expected yuan':>13}")  # fmt: skip
    for job in sorted(jobs, key=lambda j: j.started_at or j.created_at):
        result = job.result or {}
        seconds = result.get("seconds") or {}
        ran = (job.finished_at - job.started_at).total_seconds() if job.finished_at else 0.0
        waited = (job.started_at - job.created_at).total_seconds() if job.started_at else 0.0
        print(
            f"{codes.get(job.station_id or 0, '?'):<8} {job.status.value:<7} {waited:8.1f} "
            f"{ran:6.1f} " + " ".join(f"{seconds.get(p, 0):6.2f}" for p in PHASES)
            + f" {result.get('search_processes', '-')!s:>5} {result.get('planned_stops', 0)!s:>5}"
            f" {result.get('expected_value', '-')!s:>13}"
        )
    done = sum(j.status is JobStatus.DONE for j in jobs)
    print(
        f"{done}/{len(ids)} jobs done on {args.processes} worker processes, "
        f"{args.time_limit:g} s limit each: county planned in {wall:.1f} s; target "
        f"(sum of limits / processes + 10 %) {bound:.1f} s: "
        f"{'met' if wall <= bound and done == len(ids) else 'NOT met'}"
    )
    print(f"after: {_load()}")


def _wait(sessions: Any, ids: list[uuid.UUID], timeout: float) -> list[Job]:
    deadline = time.monotonic() + timeout
    while True:
        with sessions() as s:
            jobs = list(s.scalars(select(Job).where(Job.id.in_(ids))))
            s.expunge_all()
        if all(j.status in (JobStatus.DONE, JobStatus.FAILED) for j in jobs):
            return jobs
        if time.monotonic() > deadline:
            print("timed out waiting for the jobs", flush=True)
            return jobs
        time.sleep(0.5)


def quality(args: argparse.Namespace) -> None:
    app = create_app()
    sessions = app.extensions["db_sessionmaker"]
    tomorrow = dt.datetime.now(TZ).date() + dt.timedelta(days=1)
    configs = [(1, args.time_limit), (2, args.time_limit), (2, args.time_limit / 2)]
    print(f"before: {_load()}", flush=True)
    values: dict[tuple[int, float], list[Decimal]] = {c: [] for c in configs}
    print(f"{'station':<8} " + " ".join(f"{f'{p} proc @ {t:g} s':>16}" for p, t in configs))
    with app.app_context(), sessions() as s:
        for sid, code, _ in _stations(s, args.stations):
            row = []
            for processes, limit in configs:
                req = PlanRequest(
                    station_id=sid,
                    plan_date=tomorrow,
                    time_limit=limit,
                    workers=processes,
                    seed=args.seed,
                )
                draft = compute_plan(s, req, station_travel(s, sid, "auto"))
                s.rollback()
                value = Decimal(str(draft.summary["expected_value"]))
                values[(processes, limit)].append(value)
                row.append(f"{value:16.2f}")
            print(f"{code:<8} " + " ".join(row), flush=True)
    means = {c: statistics.fmean(float(v) for v in vs) for c, vs in values.items()}
    print(f"{'mean':<8} " + " ".join(f"{means[c]:16.2f}" for c in configs))
    one, two, two_half = (means[c] for c in configs)
    print(
        f"1 search process instead of 2 at {args.time_limit:g} s: "
        f"{one - two:+.2f} yuan per station ({(one - two) / two * 100:+.2f} %); "
        f"2 processes at half the time: {two_half - two:+.2f} yuan "
        f"({(two_half - two) / two * 100:+.2f} %)"
    )
    print(f"after: {_load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="part", required=True)
    c = sub.add_parser("county", help="every station's plan on Celery worker processes")
    c.add_argument("--time-limit", type=float, default=10.0)
    c.add_argument("--processes", type=int, default=2)
    c.add_argument("--stations", type=int, default=None, help="only the first N")
    c.add_argument("--worker-log", default="/tmp/county_plans_worker.log")
    q = sub.add_parser("quality", help="expected yuan per station at 1 vs 2 processes")
    q.add_argument("--time-limit", type=float, default=10.0)
    q.add_argument("--stations", type=int, default=6, help="the first N stations")
    q.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    {"county": county, "quality": quality}[args.part](args)


if __name__ == "__main__":
    main()
