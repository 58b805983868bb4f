"""Issue 17, point 1: what one request of each hot path costs, in process (no gunicorn).

For each endpoint: the SQL statements of one request and its exchanges with the server
(psycopg sends BEGIN and ROLLBACK/COMMIT as round trips of their own), its Redis
commands, the mean wall and CPU time of ``--repeat`` requests through Flask's test
client (the CPU is this process's: the app's Python, not PostgreSQL's or Redis's), and
with ``--profile NAME`` a cProfile of those requests (own time per package first).

    ARREARS_DEMO=true DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/hot_profile.py
    ... bench/hot_profile.py --profile "GET /api/me/route" --top 30
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _by_package(stats: pstats.Stats, repeat: int) -> None:
    """Own time per package (ms per request, profiler overhead included): where the
    CPU goes, with the waits for PostgreSQL and Redis shown apart."""
    groups: Counter[str] = Counter()
    for (filename, _line, func), row in stats.stats.items():  # type: ignore[attr-defined]
        own = row[2]
        if func in ("wait", "_exec_command") and "psycopg" in filename:
            key = "(waiting for PostgreSQL)"
        elif "socket" in func or "select" in func or "poll" in func:
            key = "(socket I/O)"
        elif "site-packages/" in filename:
            key = filename.split("site-packages/")[1].split("/")[0]
        elif str(ROOT) in filename:
            key = filename.split(str(ROOT) + "/")[1].split("/")[0] + "/"
        else:
            key = "(stdlib and builtins)"
        groups[key] += own
    for key, own in groups.most_common(16):
        print(f"    {key:<28} {own / repeat * 1000:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--profile", default="", help="an endpoint name (prefix) to profile")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--show-sql", action="store_true", help="print each statement")
    args = parser.parse_args()

    import psycopg
    import redis
    from load import prepare  # type: ignore[import-not-found]
    from sqlalchemy import event

    from api import create_app

    setup = prepare(2)
    person = setup["collectors"][0]
    day, sup, station = setup["date"], setup["supervisor"], setup["station"]
    app = create_app()
    client = app.test_client()
    engine = app.extensions["db_engine"]
    counts: Counter[str] = Counter()
    statements: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _sql(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        counts["sql"] += 1
        statements.append(" ".join(statement.split())[:160])

    original_wait = psycopg.Connection.wait

    def _exchange(gen: Any) -> Any:  # counts the generators that wait for the server
        try:
            sent = next(gen)
        except StopIteration as done:
            return done.value
        counts["trips"] += 1
        while True:
            try:
                sent = gen.send((yield sent))
            except StopIteration as done:
                return done.value

    def _wait(self: Any, gen: Any, *a: Any, **k: Any) -> Any:
        return original_wait(self, _exchange(gen), *a, **k)

    psycopg.Connection.wait = _wait  # type: ignore[method-assign]
    original = redis.Redis.execute_command
    original_pipe = redis.client.Pipeline.execute

    def _command(self: Any, *a: Any, **k: Any) -> Any:
        counts["redis"] += 1
        return original(self, *a, **k)

    def _pipe(self: Any, *a: Any, **k: Any) -> Any:
        counts["redis"] += 1
        return original_pipe(self, *a, **k)

    redis.Redis.execute_command = _command  # type: ignore[method-assign]
    redis.client.Pipeline.execute = _pipe  # type: ignore[method-assign]

    me = person["token"]
    cases: list[tuple[str, str, str, dict[str, str]]] = [
        ("GET /api/me/route", f"/api/me/route?date={day}", me, {}),
        ("GET /api/me/route (304)", f"/api/me/route?date={day}", me, {"If-": ""}),
        ("GET /api/me/route/pack", f"/api/me/route/pack?date={day}", me, {}),
        ("GET /api/me/route/pack (304)", f"/api/me/route/pack?date={day}", me, {"If-": ""}),
        ("GET /api/accounts/{id}", f"/api/accounts/{person['account']}", me, {}),
        ("GET /api/accounts/{id}/card", f"/api/accounts/{person['account']}/card", me, {}),
        ("GET /api/accounts?limit=50", f"/api/accounts?station_id={station}&limit=50", sup, {}),
        ("GET /api/sync (delta)", "/api/sync?cursor=CURSOR", me, {}),
        ("GET /api/stations/{id}/progress", f"/api/stations/{station}/progress", sup, {}),
        (
            "GET /api/stations/{id}/progress (304)",
            f"/api/stations/{station}/progress",
            sup,
            {"If-": ""},
        ),
    ]
    cursor = client.get("/api/sync?limit=500", headers={"Authorization": f"Bearer {me}"}).json
    while cursor["more"]:
        cursor = client.get(
            f"/api/sync?limit=500&cursor={cursor['cursor']}",
            headers={"Authorization": f"Bearer {me}"},
        ).json
    cases = [(n, p.replace("CURSOR", cursor["cursor"]), t, e) for n, p, t, e in cases]
    print(
        f"{'endpoint':<38} {'status':>6} {'sql':>4} {'trips':>5} {'redis':>5} "
        f"{'ms':>7} {'cpu ms':>7}"
    )
    for name, path, token, extra in cases:
        headers = {"Authorization": f"Bearer {token}"}
        if extra:  # revalidate: the document's current ETag
            headers["If-None-Match"] = client.get(path, headers=headers).headers.get("ETag", "")
        client.get(path, headers=headers)  # warm
        counts.clear()
        statements.clear()
        status = client.get(path, headers=headers).status_code
        one = dict(counts)
        shown = list(statements)
        profiler = cProfile.Profile() if args.profile and name.startswith(args.profile) else None
        start, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for _ in range(args.repeat):
            client.get(path, headers=headers)
        if profiler:
            profiler.disable()
        ms = (time.perf_counter() - start) / args.repeat * 1000
        cpu_ms = (time.process_time() - cpu) / args.repeat * 1000
        print(
            f"{name:<38} {status:>6} {one.get('sql', 0):>4} {one.get('trips', 0):>5} "
            f"{one.get('redis', 0):>5} {ms:7.2f} {cpu_ms:7.2f}"
        )
        if args.show_sql:
            for s in shown:
                print("     ", s)
        if profiler:
            _by_package(pstats.Stats(profiler), args.repeat)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
