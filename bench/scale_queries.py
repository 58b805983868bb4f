"""Issue 17, point 3 on the scale county (``flask demo scale``): the hot queries' times
and whether their plans stay within the caller's scope.

Runs in-process through the Flask test client (routing, auth, SQL, JSON; no network)
against ``DATABASE_URL``, as a supervisor and a collector of the first scale station,
and times a station plan's gather. For each query it also replays the request's SQL
under ``EXPLAIN ANALYZE`` (tests/support/scans.py's reading) and prints the ledger rows
read next to the station's own: a plan that reads other stations' bills shows it.

    ARREARS_DEMO=true DATABASE_URL=... nice -n 10 .venv/bin/python bench/scale_queries.py

Prints one line per query: its first read in this process, then p50 / p95 / max in ms of
``--repeat`` uncached reads in the warm process (the account list pages are served from
the route cache on a repeat: before each of these reads the cache's ``a:all`` counter is
moved, as a bulk write to accounts does, so the page is built again), the CPU they cost,
and the rows their statements read; for the cached list pages also ``--repeat`` cached
repeats. A real morning is mostly first reads (200 collectors, each with their cursors),
so the uncached figure is the one a target holds for.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api import create_app  # noqa: E402
from api.cli.demo import SCALE_PASSWORD  # noqa: E402
from api.route_cache import RouteCache  # noqa: E402
from core.planning.compute import gather  # noqa: E402
from core.planning.draft import PlanRequest  # noqa: E402

LEDGER = ("bill", "payment_allocation", "payment")


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a local process so far (0 if not readable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class BackendCPU:
    """CPU seconds the PostgreSQL backends spent while this process held their
    connections (from each checkout to its checkin; a local server only; parallel
    workers' share not included): what a query costs the server whatever the load."""

    def __init__(self, engine: Any) -> None:
        self.seconds = 0.0
        self._held: dict[int, tuple[int, float]] = {}
        event.listen(engine, "checkout", self._checkout)
        event.listen(engine, "checkin", self._checkin)

    def _checkout(self, dbapi: Any, *_: Any) -> None:
        pid = dbapi.info.backend_pid
        self._held[id(dbapi)] = (pid, _proc_cpu(pid))

    def _checkin(self, dbapi: Any, *_: Any) -> None:
        held = self._held.pop(id(dbapi), None)
        if held is not None:
            self.seconds += _proc_cpu(held[0]) - held[1]


def _login(client: Any, username: str) -> dict[str, str]:
    resp = client.post("/api/auth/login", json={"username": username, "password": SCALE_PASSWORD})
    assert resp.status_code == 200, resp.json
    return {"Authorization": f"Bearer {resp.json['access_token']}"}


def _walk(node: dict[str, Any], into: Counter[str]) -> None:
    if node.get("Relation Name") in LEDGER:
        read = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
        into[node["Relation Name"]] += int(read * node.get("Actual Loops", 1))
        if node.get("Node Type") == "Seq Scan":
            into["seq_scans"] += 1
    for child in node.get("Plans", []):
        _walk(child, into)


def _reads(engine: Any, statements: list[tuple[str, Any]]) -> Counter[str]:
    total: Counter[str] = Counter()
    with engine.connect() as conn:
        for statement, params in statements:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            plan = conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params
            ).scalar_one()
            _walk(plan[0]["Plan"], total)
        conn.rollback()
    return total


def _get(client: Any, path: str, headers: dict[str, str]) -> tuple[float, float]:
    c0, t0 = time.process_time(), time.perf_counter()
    resp = client.get(path, headers=headers)
    took, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
    assert resp.status_code == 200, (path, resp.status_code, resp.json)
    return took, cpu


def _spread(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return f"p50 {statistics.median(times):6.1f}  p95 {p95:6.1f}  max {times[-1]:6.1f}"


def _time(
    client: Any,
    engine: Any,
    backend: BackendCPU,
    cache: RouteCache,
    case: tuple[str, str, dict[str, str], bool],
    repeat: int,
) -> str:
    _name, path, headers, cached = case
    cache.bump(["a:all"])  # every account list page and card is built again
    first, _ = _get(client, path, headers)
    times, cpu = [], []
    server_from = backend.seconds
    for _ in range(repeat):
        cache.bump(["a:all"])
        took, used = _get(client, path, headers)
        times.append(took)
        cpu.append(used)
    server = (backend.seconds - server_from) / repeat * 1000
    seen: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    cache.bump(["a:all"])
    event.listen(engine, "before_cursor_execute", capture)
    try:
        client.get(path, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    reads = _reads(engine, seen)
    hits = ""
    if cached:  # served from the route cache
        hits = f"; cached {_spread([_get(client, path, headers)[0] for _ in range(repeat)])}"
    return (
        f"first {first:6.1f}; uncached {_spread(times)} ms "
        f"(CPU: client p50 {statistics.median(cpu):5.1f}, backend mean {server:5.1f} ms; "
        f"statements {len(seen)}; rows read: bill {reads['bill']}, allocations "
        f"{reads['payment_allocation']}, payments {reads['payment']}, seq scans "
        f"{reads['seq_scans']}){hits}"
    )


def _last_station(engine: Any, client: Any) -> tuple[int, dict[str, str]]:
    """The last scale station (its accounts' ids are the county's most interleaved: a page
    by id walks past the other stations' accounts without an index that starts with it)
    and its supervisor's login."""
    with engine.connect() as conn:
        station_id, code = conn.execute(
            text("SELECT id, code FROM station WHERE code LIKE 'SC-%' ORDER BY code DESC LIMIT 1")
        ).one()
    return station_id, _login(client, f"scale-supervisor-{code[3:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", default="", help="run the queries whose name has this")
    parser.add_argument("--no-gather", action="store_true", help="skip the plan gather")
    args = parser.parse_args()
    app = create_app()
    gc.freeze()  # as wsgi.py does in each worker
    engine = app.extensions["db_engine"]
    client = app.test_client()
    backend = BackendCPU(engine)
    with engine.connect() as conn:
        station_id, lon, lat = conn.execute(
            text("SELECT id, ST_X(depot), ST_Y(depot) FROM station WHERE code = 'SC-00'")
        ).one()
        own = dict(
            conn.execute(
                text(
                    "SELECT 'accounts', count(*) FROM account WHERE station_id = :s UNION ALL "
                    "SELECT 'bills', count(*) FROM bill b JOIN account a ON a.id = b.account_id"
                    " WHERE a.station_id = :s UNION ALL SELECT 'county bills', count(*) FROM bill"
                ),
                {"s": station_id},
            ).all()
        )
        cost = conn.execute(text("SHOW random_page_cost")).scalar_one()
    print(f"scale county: station SC-00 (id {station_id}): {own}; random_page_cost {cost}")
    print(f"{_load()}", flush=True)
    sup = _login(client, "scale-supervisor-00")
    col = _login(client, "scale-collector-000")
    d = 0.02
    bbox = f"{lon - d},{lat - d},{lon + d},{lat + d}"
    s = station_id
    last, last_sup = _last_station(engine, client)
    listed = [  # the account list pages (served from the route cache on a repeat)
        ("account list page (50, amounts due), supervisor", f"station_id={s}&limit=50", sup),
        (
            "account list page (50), supervisor of the last station",
            f"station_id={last}&limit=50",
            last_sup,
        ),
        (
            "account list by -arrears (50), supervisor",
            f"station_id={s}&sort=-arrears&limit=50",
            sup,
        ),
        ("account list by arrears (50), supervisor", f"station_id={s}&sort=arrears&limit=50", sup),
        (
            "account list arrears_min=100 (50), supervisor",
            f"station_id={s}&arrears_min=100&limit=50",
            sup,
        ),
        (
            "account list overdue_days_min=1 (50), supervisor",
            f"station_id={s}&overdue_days_min=1&limit=50",
            sup,
        ),
        ("account list page (50), collector", "limit=50", col),
        ("account list by -arrears (50), collector", "sort=-arrears&limit=50", col),
        ("account list arrears_min=100 (50), collector", "arrears_min=100&limit=50", col),
        ("bbox page (50), supervisor", f"station_id={s}&bbox={bbox}&limit=50", sup),
        (
            "near 2 km (50), supervisor",
            f"station_id={s}&near_lon={lon}&near_lat={lat}&radius_m=2000&limit=50",
            sup,
        ),
    ]
    cases = [(name, f"/api/accounts?{query}", who, True) for name, query, who in listed]
    cases += [
        (
            "accounts.geojson bbox (200), supervisor",
            f"/api/accounts.geojson?station_id={s}&bbox={bbox}&limit=200",
            sup,
            False,
        ),
        ("arrears list (50), supervisor", "/api/arrears?limit=50", sup, False),
        ("arrears list (50), collector", "/api/arrears?limit=50", col, False),
        ("station workload, supervisor", f"/api/workload?station_id={s}", sup, False),
    ]
    cache = app.extensions["route_cache"]
    for case in cases:
        if args.only not in case[0]:
            continue
        figures = _time(client, engine, backend, cache, case, args.repeat)
        print(f"{case[0]:<56} {figures}", flush=True)
    print(f"{_load()}", flush=True)
    if args.no_gather:
        return
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        try:
            tomorrow = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() + dt.timedelta(days=1)
            req = PlanRequest(station_id=station_id, plan_date=tomorrow)
            for n in range(3):
                session.close()  # its connection's backend CPU is counted from checkout
                c0, t0, s0 = time.process_time(), time.perf_counter(), backend.seconds
                g = gather(session, req)
                took = time.perf_counter() - t0
                session.close()
                print(
                    f"station plan gather #{n + 1}: {took:6.2f} s "
                    f"(CPU: client {time.process_time() - c0:5.2f} s, backend "
                    f"{backend.seconds - s0:5.2f} s; "
                    f"{len(g.collectors)} collectors, {g.n_arrears} in arrears, "
                    f"{len(g.chosen)} candidates modelled)",
                    flush=True,
                )
        finally:
            session.close()
    print(f"{_load()}")


if __name__ == "__main__":
    main()
