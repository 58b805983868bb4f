"""The whole loop on the demo county, over HTTP with a real Celery worker: prints figures.

Supervisor submits the station's plan (202), a worker (``--pool=solo``, started here, on a
scratch Redis database) claims and solves it, the job turns ``done``, the supervisor
publishes, and a collector fetches the day's route on the phone API (then revalidates it
with its ETag). Works on the ``arrears_plan_dev`` copy of the demo (see ``plan_demo.py``).

Usage::

    .venv/bin/python -m bench.plan_http_demo --time-limit 30     # from the repository root
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.plan_demo import DEFAULT_URL, ensure_copy

ROOT = Path(__file__).resolve().parents[1]


def login(client: Any, username: str, password: str) -> dict[str, str]:
    resp = client.post("/api/auth/login", json={"username": username, "password": password})
    assert resp.status_code == 200, resp.json
    return {"Authorization": f"Bearer {resp.json['access_token']}"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db-url", default=DEFAULT_URL)
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    ap.add_argument("--station", default="LN-JINGCUN")
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--collector", default="collector01")
    ap.add_argument("--replan-limit", type=float, default=None, help="default: the API's")
    args = ap.parse_args()
    ensure_copy(args.db_url, "arrears_dev")

    from api import create_app

    app = create_app(DATABASE_URL=args.db_url, REDIS_URL=args.redis_url, DEMO=True)
    env = os.environ | {
        "DATABASE_URL": args.db_url,
        "REDIS_URL": args.redis_url,
        "ARREARS_DEMO": "true",  # a demo database: the demo's secret and users
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "api.celery_app",
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        client = app.test_client()
        sup = login(client, "supervisor", "supervisor-demo")
        from sqlalchemy import select

        from core.models import Station

        with app.extensions["db_sessionmaker"]() as s:
            station = s.scalars(select(Station).where(Station.code == args.station)).one()
            sid, tz = station.id, station.timezone
        day = dt.datetime.now(ZoneInfo(tz)).date() + dt.timedelta(days=1)
        print(f"station {args.station} (id {sid}), day {day}")
        t0 = time.monotonic()
        resp = client.post(
            f"/api/stations/{sid}/plans",
            json={"date": day.isoformat(), "time_limit": args.time_limit},
            headers=sup,
        )
        t_submit = time.monotonic() - t0
        assert resp.status_code == 202, resp.json
        location = resp.headers["Location"]
        job: dict[str, Any] = {}
        while time.monotonic() - t0 < args.time_limit + 120:
            job = client.get(location, headers=sup).json
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.5)
        t_done = time.monotonic() - t0
        print(
            f"submit answered 202 in {t_submit * 1000:.0f} ms; job {job['status']} "
            f"after {t_done:.1f} s (attempts {job['attempts']})"
        )
        plan_url = job["links"]["plan"]
        t = time.monotonic()
        plan = client.get(plan_url, headers=sup).json
        print(
            f"GET plan {time.monotonic() - t:.2f} s: v{plan['version']}, "
            f"{sum(len(r['stops']) for r in plan['routes'])} stops, "
            f"{len(plan['summary']['unassigned'])} unassigned with reasons, "
            f"solver {plan['summary']['solver']}"
        )
        t = time.monotonic()
        pub = client.post(f"{plan_url}/publish", headers=sup)
        print(f"publish {pub.status_code} in {time.monotonic() - t:.2f} s")
        me = login(client, args.collector, "collector-demo")
        t = time.monotonic()
        route = client.get(f"/api/me/route?date={day}", headers=me)
        t_route = time.monotonic() - t
        t = time.monotonic()
        again = client.get(
            f"/api/me/route?date={day}", headers=me | {"If-None-Match": route.headers["ETag"]}
        )
        t_304 = time.monotonic() - t
        body = route.json
        print(
            f"GET /api/me/route {route.status_code} in {t_route:.2f} s "
            f"({len(body['stops'])} stops, {len(route.data)} bytes); "
            f"If-None-Match -> {again.status_code} in {t_304:.2f} s"
        )
        first = body["stops"][0]
        print(
            f"first stop: {first['account']['name']} eta {first['eta']} "
            f"due {first['amount_due']['total']} explain {first['explain']}"
        )
        replan(client, me, day, body, args.replan_limit)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)


def replan(
    client: Any, me: dict[str, str], day: dt.date, route: dict[str, Any], limit: float | None
) -> None:
    """The collector re-plans from the third stop's door: 202, then poll the job to done."""
    lon, lat = route["stops"][min(2, len(route["stops"]) - 1)]["account"]["location"]["coordinates"]
    body: dict[str, Any] = {"lon": lon, "lat": lat, "date": day.isoformat()}
    if limit is not None:
        body["time_limit"] = limit
    t0 = time.monotonic()
    resp = client.post("/api/me/route/replan", json=body, headers=me)
    t_submit = time.monotonic() - t0
    assert resp.status_code == 202, resp.json
    job: dict[str, Any] = {}
    while time.monotonic() - t0 < 120:
        job = client.get(resp.headers["Location"], headers=me).json
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    t_done = time.monotonic() - t0
    fresh = client.get(f"/api/me/route?date={day}", headers=me).json
    print(
        f"re-plan (time limit {limit or 'default'}): 202 in {t_submit * 1000:.0f} ms; job "
        f"{job['status']} after {t_done:.2f} s (queue + gather + solve + store); "
        f"route now {len(fresh['stops'])} stops; job result {job.get('result')}"
    )


if __name__ == "__main__":
    main()
