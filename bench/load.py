"""Issue 17, point 5: the morning rush against gunicorn, with a bare-Flask endpoint
measured in the same run as the reference.

Against the database at ``DATABASE_URL`` (the demo county of ``make run``): makes sure
the first station has a published plan for tomorrow (its draft published, else planned
in-process, 2 s budget; a plan for today starts from now, empty in the evening), logs
the collectors and a supervisor in, starts the app under gunicorn (``--workers`` sync
workers, ``--port``, default 5017) and a bare Flask app returning a small JSON document
under the same gunicorn settings (that port + 100), then drives each with ``wrk``
(Debian's, installed by scripts/setup.sh): one endpoint at a time at ``--connections``,
then the mixed rush (collectors fetching and revalidating route and pack, recording
visits and payments; supervisors polling progress with If-None-Match, the accounts' map
tiles and the account list), printing requests/s, p50/p95/p99 and errors per line, each
line's ratio to bare Flask, and the app's CPU per request (its gunicorn workers' user +
system time over the line's run: a crowded machine stretches the wall times and the
ratios, much less the CPU a request costs).

    ARREARS_DEMO=true DATABASE_URL=... REDIS_URL=... nice -n 10 .venv/bin/python bench/load.py
    ... bench/load.py --only "GET /api/me/route"   # the lines whose names start so

``--county``: the morning at full size, on the 1M scale county (``DATABASE_URL`` at
``arrears_scale``, bench/scale_seed.py): publishes each station's plan for 2026-12-05
(its latest draft, made by bench/county_plans.py, as the station's supervisor; a
station without one is planned in-process) and logs in its 200 collectors
(``scale-collector-NNN``) and 20 supervisors (``scale-supervisor-NN``). 200 collectors
come from 200 phones: the bench's gunicorn trusts X-Forwarded-For for one hop
(``ARREARS_PROXY_FIX_X_FOR=1``, as behind nginx) and every request of a user carries
that user's own address (10.0.x.y), so the login throttle (30 a minute per address)
counts phones, not the bench. A login phase comes first, its own line: all 220 users
logging in once each, ``--connections`` at a time (argon2-bound; its rate is the
county's). Then one line per endpoint over every collector or supervisor (route and
pack, each with its 304 revalidation; a visit and a payment each, fresh UUIDs, written
to the bench database; each station's progress, plain and with If-None-Match; the
accounts' tiles around each supervisor's collectors) and the mixed rush. ``uptime`` is
printed before and after.

    DATABASE_URL=.../arrears_scale ARREARS_DEMO=true REDIS_URL=... \\
        nice -n 10 .venv/bin/python bench/load.py --county --port 5060
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
  local headers = {}
  if r.token then headers["Authorization"] = "Bearer " .. r.token end
  if r.xff then headers["X-Forwarded-For"] = r.xff end
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
def gunicorn(
    app: str, port: int, workers: int, cwd: Path, env: dict[str, str] | None = None
) -> Iterator[str]:
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
        env=os.environ | {"PYTHONPATH": str(ROOT)} | (env or {}),
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


def publish_plan(app: Any, client: Any, station: int, day: dt.date, auth: dict[str, str]) -> None:
    """Make sure ``station`` has a published plan for ``day``: its latest draft published,
    or, without one, a plan made in-process (2 s budget) and published."""
    from core.planning.runner import JobSettings, run_plan_job

    plans = client.get(f"/api/stations/{station}/plans?date={day}", headers=auth).json
    if any(p["status"] == "published" for p in plans):
        return
    drafts = [p for p in plans if p["status"] == "draft"]
    if drafts:
        plan_id = max(drafts, key=lambda p: p["version"])["id"]
    else:
        resp = client.post(
            f"/api/stations/{station}/plans",
            json={"date": day.isoformat(), "time_limit": 2},
            headers=auth,
        )
        assert resp.status_code == 202, resp.json
        job = uuid.UUID(resp.json["id"])
        settings = JobSettings(lease_s=120, heartbeat_s=30, max_time_limit=5, workers=1)
        assert run_plan_job(app.extensions["db_sessionmaker"], job, settings) == "done"
        plan_id = client.get(f"/api/jobs/{job}", headers=auth).json["result"]["plan_id"]
    resp = client.post(f"/api/plans/{plan_id}/publish", headers=auth)
    assert resp.status_code == 200, resp.json


def prepare(collectors: int) -> dict[str, Any]:
    """Today's published plan of the first station, tokens, and each collector's stops."""
    from api import create_app
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
    publish_plan(app, client, station, today, auth)
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


#: The scale county's day (bench/county_plans.py drafts its plans) and its people.
COUNTY_DATE = dt.date(2026, 12, 5)
COUNTY_COLLECTORS = [f"scale-collector-{i:03d}" for i in range(200)]
COUNTY_SUPERVISORS = [f"scale-supervisor-{i:02d}" for i in range(20)]


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _address(i: int) -> str:
    """User ``i``'s phone's address (one per user, given as X-Forwarded-For)."""
    return f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"


def prepare_county(day: dt.date) -> dict[str, Any]:
    """The scale county's plans for ``day`` published (each station's draft, by its
    supervisor; a station without one is planned in-process, 2 s), everyone logged in
    (each from their own address), and each collector's route, pack and first stop."""
    from api import create_app
    from api.cli.demo import SCALE_PASSWORD

    app = create_app()
    client = app.test_client()
    users = COUNTY_COLLECTORS + COUNTY_SUPERVISORS

    def login(username: str) -> str:
        resp = client.post(
            "/api/auth/login",
            json={"username": username, "password": SCALE_PASSWORD},
            environ_base={"REMOTE_ADDR": _address(users.index(username))},
        )
        assert resp.status_code == 200, (username, resp.json)
        return str(resp.json["access_token"])

    supervisors = []
    for name in COUNTY_SUPERVISORS:
        token = login(name)
        auth = {"Authorization": f"Bearer {token}"}
        station = client.get("/api/stations", headers=auth).json[0]["id"]
        publish_plan(app, client, station, day, auth)
        polled = client.get(f"/api/stations/{station}/progress", headers=auth)
        supervisors.append(
            {
                "token": token,
                "station": station,
                "xff": _address(users.index(name)),
                "progress_etag": polled.headers["ETag"],
                "tiles": set(),
            }
        )
    by_station = {s["station"]: s for s in supervisors}
    people = []
    for name in COUNTY_COLLECTORS:
        token = login(name)
        me = {"Authorization": f"Bearer {token}"}
        route = client.get(f"/api/me/route?date={day}", headers=me)
        if route.status_code != 200 or not route.json["stops"]:
            continue
        pack = client.get(f"/api/me/route/pack?date={day}", headers=me)
        assert pack.status_code == 200, (name, pack.status_code)
        stops = [s["account"]["id"] for s in route.json["stops"]]
        lon, lat = route.json["stops"][0]["account"]["location"]["coordinates"]
        station = client.get("/api/stations", headers=me).json[0]["id"]
        by_station[station]["tiles"].add(_tile(lon, lat, TILE_ZOOM))
        people.append(
            {
                "token": token,
                "xff": _address(users.index(name)),
                "etag": route.headers["ETag"],
                "pack_etag": pack.headers["ETag"],
                "stops": stops,
                "account": stops[0],
                "date": day,
            }
        )
    return {"collectors": people, "supervisors": supervisors, "users": users, "date": day}


def login_phase(base: str, users: list[str], connections: int) -> dict[str, float]:
    """Every user logging in once, ``connections`` at a time, each from their own address
    (X-Forwarded-For, which the app trusts for one hop in this mode): all the requests/s,
    latencies and errors of a wave of logins, argon2 (~0.2 s of a core each) bound."""
    from concurrent.futures import ThreadPoolExecutor

    from api.cli.demo import SCALE_PASSWORD

    master = _MASTERS.get(base)
    cpu_before = _workers_cpu_s(master)

    def one(i: int) -> tuple[float, bool]:
        body = json.dumps({"username": users[i], "password": SCALE_PASSWORD}).encode()
        req = urllib.request.Request(
            base + "/api/auth/login",
            data=body,
            headers={"Content-Type": "application/json", "X-Forwarded-For": _address(i)},
        )
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                ok = resp.status == 200 and "access_token" in json.load(resp)
        except Exception:
            ok = False
        return time.perf_counter() - start, ok

    start = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        done = list(pool.map(one, range(len(users))))
    secs = time.perf_counter() - start
    lat = sorted(d * 1000 for d, _ in done)

    def pct(q: float) -> float:
        return lat[min(len(lat) - 1, math.ceil(q * len(lat)) - 1)]

    return {
        "rps": len(done) / secs,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "errors": sum(not ok for _, ok in done),
        "n": len(done),
        "cpu_ms": (_workers_cpu_s(master) - cpu_before) * 1000 / len(done),
    }


def county_cases(setup: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The county's lines: each endpoint over every collector or supervisor, then the
    rush mixing them as the demo's does."""
    people, sups = setup["collectors"], setup["supervisors"]

    def each(path: str, etag_key: str | None = None) -> list[dict[str, Any]]:
        return [
            {
                "method": "GET",
                "path": path.format(**p),
                "token": p["token"],
                "xff": p["xff"],
                "etag": p[etag_key] if etag_key else None,
            }
            for p in people
        ]

    def sup(path: str, etag: bool = False) -> list[dict[str, Any]]:
        return [
            {
                "method": "GET",
                "path": path.format(**s),
                "token": s["token"],
                "xff": s["xff"],
                "etag": s["progress_etag"] if etag else None,
            }
            for s in sups
        ]

    tiles = [
        {
            "method": "GET",
            "path": f"/api/tiles/accounts/{tile}.mvt",
            "token": s["token"],
            "xff": s["xff"],
        }
        for s in sups
        for tile in sorted(s["tiles"])
    ]
    posts = [
        {
            "method": "POST",
            "path": path,
            "token": p["token"],
            "xff": p["xff"],
            "body": body % p["account"],
        }
        for path, body in (("/api/visits", VISIT), ("/api/payments", PAYMENT))
        for p in people
    ]
    progress = sup("/api/stations/{station}/progress")
    polling = sup("/api/stations/{station}/progress", etag=True)
    rush = (
        each("/api/me/route?date={date}") * 4
        + each("/api/me/route?date={date}", "etag") * 4
        + each("/api/me/route/pack?date={date}") * 2
        + each("/api/me/route/pack?date={date}", "pack_etag") * 2
        + posts
        + polling * 20
        + tiles
    )
    return [
        ("GET /api/me/route", each("/api/me/route?date={date}")),
        ("GET /api/me/route (304 revalidation)", each("/api/me/route?date={date}", "etag")),
        ("GET /api/me/route/pack", each("/api/me/route/pack?date={date}")),
        (
            "GET /api/me/route/pack (304 revalidation)",
            each("/api/me/route/pack?date={date}", "pack_etag"),
        ),
        ("POST /api/visits + /api/payments", posts),
        ("GET /api/stations/{id}/progress (supervisor)", progress),
        ("GET /api/stations/{id}/progress (304 revalidation)", polling),
        ("GET /api/tiles/accounts/z/x/y.mvt (supervisor)", tiles),
        ("morning rush (mixed, with writes)", rush),
    ]


VISIT = '{"id": "UUID", "account_id": %d, "outcome": "nobody_home", "device_time": "NOW"}'
PAYMENT = (
    '{"id": "UUID", "account_id": %d, "amount": "1.00", "channel": "field_cash",'
    ' "collected_at": "NOW", "device_id": "bench"}'
)


#: The zoom of the supervisors' map tiles (a few villages per tile).
TILE_ZOOM = 13


def _tile(lon: float, lat: float, z: int) -> str:
    """The XYZ tile address ``z/x/y`` holding the point (Web Mercator)."""
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return f"{z}/{x}/{y}"


def demo_cases(collectors: int) -> list[tuple[str, list[dict[str, Any]]]]:
    """The demo county's lines (its first station, its collectors and a supervisor)."""
    setup = prepare(collectors)
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
    return cases


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
    parser.add_argument(
        "--county",
        action="store_true",
        help="the scale county's morning (DATABASE_URL at arrears_scale): see the docstring",
    )
    args = parser.parse_args()
    app_env: dict[str, str] = {}
    users: list[str] = []
    if args.county:
        county = prepare_county(COUNTY_DATE)
        cases = county_cases(county)
        users = county["users"]
        # 220 phones, 220 addresses: the app trusts X-Forwarded-For for one hop, as
        # behind nginx, and every request gives its user's own.
        app_env = {"ARREARS_PROXY_FIX_X_FOR": "1"}
        print(
            f"county: {len(county['collectors'])} collectors with a published route on"
            f" {county['date']}, {len(county['supervisors'])} supervisors; {_uptime()}"
        )
    else:
        cases = demo_cases(args.collectors)
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
        with gunicorn("wsgi:app", args.port, args.workers, ROOT, app_env) as base:
            # Unrecorded: each worker's first requests open its pools and fill its caches.
            warm = [r for _, reqs in cases for r in reqs if r["method"] == "GET"]
            wrk(base, warm, 2, args.connections)
            name = f"POST /api/auth/login ({len(users)} users, once each)"
            wanted = tuple(p.strip() for p in args.only.split(","))
            if users and (not args.only or name.startswith(wanted)):
                results.append((name, login_phase(base, users, args.connections)))
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
    if args.county:
        print(_uptime())
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
