"""Issue 17, point 5: the morning rush against gunicorn, with a bare-Flask endpoint
measured in the same run as the reference.

Against the database at ``DATABASE_URL`` (the demo county of ``make run``): makes sure
the first station has a published plan for tomorrow (planned in-process, 2 s budget; a
plan for today starts from now, empty in the evening), logs the collectors and a
supervisor in, starts the app under gunicorn (``--workers`` sync workers, ``--port``, default 5017)
and a bare Flask app returning a small JSON document under the same gunicorn settings
(that port + 100), then drives each with ``wrk`` (Debian's, installed by scripts/setup.sh):
one endpoint at a time at ``--connections``, then the mixed rush (collectors fetching and
revalidating route and pack, recording visits and payments; supervisors polling progress
with If-None-Match, the accounts' map tiles and the account list), printing requests/s,
p50/p95/p99 and errors per line, each line's ratio to bare Flask, and the app's CPU per
request (its gunicorn workers' user + system time over the line's run: a crowded machine
stretches the wall times and the ratios, much less the CPU a request costs).

    ARREARS_DEMO=true DATABASE_URL=... REDIS_URL=... nice -n 10 .venv/bin/python bench/load.py
    ... bench/load.py --only "GET /api/me/route"   # the lines whose names start so
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BARE_APP = """
from flask import Flask
app = Flask(__name__)

@app.get("/bare")
def bare():
    return {"status": "ok", "stops": 26, "service": "arrears"}
"""

LUA = r"""
local reqs = %(requests)s
local n = 0
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
local function uuid4()
  local t = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (t:gsub("[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%%x", v)
  end))
end
request = function()
  n = n + 1
  local r = reqs[(n %% #reqs) + 1]
  local headers = {["Authorization"] = "Bearer " .. r.token}
  if r.etag then headers["If-None-Match"] = r.etag end
  if r.method == "POST" then
    headers["Content-Type"] = "application/json"
    local body = r.body:gsub("UUID", uuid4()):gsub("NOW", os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ"))
    return wrk.format("POST", r.path, headers, body)
  end
  return wrk.format("GET", r.path, headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%f %%f %%f %%f %%d %%d\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def _lua_requests(reqs: list[dict[str, Any]]) -> str:
    items = []
    for r in reqs:
        fields = [f"{k} = {json.dumps(v)}" for k, v in r.items() if v is not None]
        items.append("{" + ", ".join(fields) + "}")
    return "{" + ",\n".join(items) + "}"


#: Each running gunicorn's master process, by base URL.
_MASTERS: dict[str, int] = {}


def _workers_cpu_s(master: int | None) -> float:
    """The CPU seconds (user + system) the master's worker processes used so far."""
    if master is None:
        return 0.0
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # ppid; utime and stime follow at 11 and 12
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def wrk(base: str, reqs: list[dict[str, Any]], seconds: int, connections: int) -> dict[str, float]:
    """Requests/s, latencies and errors of ``reqs`` at ``base``, and the app's CPU per
    request (its gunicorn workers' user + system time over the run, which the machine's
    other load does not inflate as it does the wall times)."""
    master = _MASTERS.get("/".join(base.split("/")[:3]))  # http://host:port
    cpu_before = _workers_cpu_s(master)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA % {"requests": _lua_requests(reqs)})
        script = f.name
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script, base],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script)
    cpu_s = _workers_cpu_s(master) - cpu_before
    m = re.search(r"RESULT (\d+) ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+) (\d+)", out)
    assert m, out
    n, secs, p50, p95, p99, status, sock = m.groups()
    return {
        "rps": int(n) / float(secs),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "errors": int(status) + int(sock),
        "n": int(n),
        "cpu_ms": cpu_s * 1000 / max(int(n), 1),
    }


@contextlib.contextmanager
def gunicorn(app: str, port: int, workers: int, cwd: Path) -> Iterator[str]:
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        cwd=cwd,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    base = f"http://127.0.0.1:{port}"
    _MASTERS[base] = proc.pid
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/bare" if "bare" in app else base + "/api/health")
                break
            except Exception:
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def prepare(collectors: int) -> dict[str, Any]:
    """Today's published plan of the first station, tokens, and each collector's stops."""
    from api import create_app
    from core.planning.runner import JobSettings, run_plan_job
    from demo.generator import DEMO_PASSWORDS

    app = create_app()
    client = app.test_client()

    def login(username: str, role: str) -> str:
        resp = client.post(
            "/api/auth/login", json={"username": username, "password": DEMO_PASSWORDS[role]}
        )
        assert resp.status_code == 200, (username, resp.json)
        return str(resp.json["access_token"])

    sup = login("supervisor", "supervisor")
    auth = {"Authorization": f"Bearer {sup}"}
    station = client.get("/api/stations", headers=auth).json[0]["id"]
    # Tomorrow: a plan for today starts from now, empty in the evening.
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() + dt.timedelta(days=1)
    plans = client.get(f"/api/stations/{station}/plans?date={today}", headers=auth).json
    if not any(p["status"] == "published" for p in plans):
        resp = client.post(
            f"/api/stations/{station}/plans",
            json={"date": today.isoformat(), "time_limit": 2},
            headers=auth,
        )
        assert resp.status_code == 202, resp.json
        job = uuid.UUID(resp.json["id"])
        settings = JobSettings(lease_s=120, heartbeat_s=30, max_time_limit=5, workers=1)
        assert run_plan_job(app.extensions["db_sessionmaker"], job, settings) == "done"
        plan_id = client.get(f"/api/jobs/{job}", headers=auth).json["result"]["plan_id"]
        resp = client.post(f"/api/plans/{plan_id}/publish", headers=auth)
        assert resp.status_code == 200, resp.json
    people = []
    for i in range(1, collectors + 1):
        token = login(f"collector{i:02d}", "collector")
        me = {"Authorization": f"Bearer {token}"}
        route = client.get(f"/api/me/route?date={today}", headers=me)
        if route.status_code != 200 or not route.json["stops"]:
            continue
        pack = client.get(f"/api/me/route/pack?date={today}", headers=me)
        stops = [s["account"]["id"] for s in route.json["stops"]]
        lon, lat = route.json["stops"][0]["account"]["location"]["coordinates"]
        people.append(
            {
                "token": token,
                "etag": route.headers["ETag"],
                "pack_etag": pack.headers["ETag"],
                "stops": stops,
                "account": stops[0],
                "tile": _tile(lon, lat, TILE_ZOOM),
            }
        )
    polled = client.get(f"/api/stations/{station}/progress", headers=auth)
    return {
        "supervisor": sup,
        "station": station,
        "collectors": people,
        "date": today,
        "progress_etag": polled.headers["ETag"],
    }


#: The zoom of the supervisors' map tiles (a few villages per tile).
TILE_ZOOM = 13


def _tile(lon: float, lat: float, z: int) -> str:
    """The XYZ tile address ``z/x/y`` holding the point (Web Mercator)."""
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return f"{z}/{x}/{y}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--collectors", type=int, default=8)
    parser.add_argument(
        "--port", type=int, default=5017, help="the app's port; bare Flask's is this + 100"
    )
    parser.add_argument(
        "--only", default="", help="comma-separated prefixes of the lines to run (default all)"
    )
    args = parser.parse_args()
    setup = prepare(args.collectors)
    people, sup, station = setup["collectors"], setup["supervisor"], setup["station"]
    for p in people:
        p["date"] = setup["date"]
    print(f"{len(people)} collectors with a published route on {setup['date']}; station {station}")

    def each(path: str, etag_key: str | None = None) -> list[dict[str, Any]]:
        return [
            {
                "method": "GET",
                "path": path.format(**p),
                "token": p["token"],
                "etag": p[etag_key] if etag_key else None,
            }
            for p in people
        ]

    sup_get = [
        {"method": "GET", "path": f"/api/accounts?station_id={station}&limit=50", "token": sup}
    ]
    progress = [{"method": "GET", "path": f"/api/stations/{station}/progress", "token": sup}]
    # The dashboard polls with If-None-Match (the rush's writes move the digest often).
    polling = [progress[0] | {"etag": setup["progress_etag"]}]
    tiles = [
        {"method": "GET", "path": f"/api/tiles/accounts/{tile}.mvt", "token": sup}
        for tile in sorted({p["tile"] for p in people})
    ]
    visit = '{"id": "UUID", "account_id": %d, "outcome": "nobody_home", "device_time": "NOW"}'
    pay = (
        '{"id": "UUID", "account_id": %d, "amount": "1.00", "channel": "field_cash",'
        ' "collected_at": "NOW", "device_id": "bench"}'
    )
    rush = (
        each("/api/me/route?date={date}") * 4
        + each("/api/me/route?date={date}", "etag") * 4
        + each("/api/me/route/pack?date={date}") * 2
        + each("/api/me/route/pack?date={date}", "pack_etag") * 2
        + [
            {
                "method": "POST",
                "path": "/api/visits",
                "token": p["token"],
                "body": visit % p["account"],
            }
            for p in people
        ]
        + [
            {
                "method": "POST",
                "path": "/api/payments",
                "token": p["token"],
                "body": pay % p["account"],
            }
            for p in people
        ]
        + polling * 2
        + tiles
        + sup_get
    )
    cases = [
        ("GET /api/me/route", each("/api/me/route?date={date}")),
        ("GET /api/me/route (304 revalidation)", each("/api/me/route?date={date}", "etag")),
        ("GET /api/me/route/pack", each("/api/me/route/pack?date={date}")),
        ("GET /api/accounts/{account} (card)", each("/api/accounts/{account}")),
        ("GET /api/stations/{id}/progress (supervisor)", progress),
        ("GET /api/stations/{id}/progress (304 revalidation)", polling),
        ("GET /api/tiles/accounts/z/x/y.mvt (supervisor)", tiles),
        ("GET /api/accounts?limit=50 (supervisor)", sup_get),
        (
            "GET /api/accounts.geojson?limit=200",
            [
                {
                    "method": "GET",
                    "path": f"/api/accounts.geojson?station_id={station}&limit=200",
                    "token": sup,
                }
            ],
        ),
        (
            "GET /api/arrears?limit=50 (supervisor)",
            [{"method": "GET", "path": "/api/arrears?limit=50", "token": sup}],
        ),
        ("morning rush (mixed, with writes)", rush),
    ]
    if args.only:
        wanted = tuple(p.strip() for p in args.only.split(","))
        cases = [(name, reqs) for name, reqs in cases if name.startswith(wanted)]
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "bare_app.py").write_text(BARE_APP)
        results = []
        with gunicorn("bare_app:app", args.port + 100, args.workers, Path(tmp)) as bare:
            ref = wrk(
                bare + "/bare",
                [{"method": "GET", "path": "/bare", "token": "x"}],
                args.seconds,
                args.connections,
            )
        with gunicorn("wsgi:app", args.port, args.workers, ROOT) as base:
            # Unrecorded: each worker's first requests open its pools and fill its caches.
            warm = [r for _, reqs in cases for r in reqs if r["method"] == "GET"]
            wrk(base, warm, 2, args.connections)
            for name, reqs in cases:
                results.append((name, wrk(base, reqs, args.seconds, args.connections)))
        with gunicorn("bare_app:app", args.port + 100, args.workers, Path(tmp)) as bare:
            ref2 = wrk(
                bare + "/bare",
                [{"method": "GET", "path": "/bare", "token": "x"}],
                args.seconds,
                args.connections,
            )
    rps = (ref["rps"] + ref2["rps"]) / 2
    print(
        f"gunicorn {args.workers} sync workers, wrk -t2 -c{args.connections} -d{args.seconds}s;"
        f" bare Flask before/after: {ref['rps']:.0f} / {ref2['rps']:.0f} req/s"
    )
    print(
        f"{'endpoint':<52} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7} {'vs bare':>8} {'cpu ms':>7}"
    )
    for name, r in [("bare Flask (reference)", ref), *results]:
        print(
            f"{name:<52} {r['rps']:8.0f} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} "
            f"{r['errors']:7d} {r['rps'] / rps:8.2f}x {r['cpu_ms']:7.2f}"
        )


if __name__ == "__main__":
    main()
