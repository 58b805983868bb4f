"""Replay storm: many phones re-sending payments at once; prints figures, is not a test.

Serves the app with werkzeug's threaded WSGI server (in a forked process) on a scratch database
(``arrears_money_bench``, created and migrated when missing) and runs N client threads,
two per collector (a phone and its retrying uploader share the collector's ids), over
keep-alive HTTP connections. Of the uploads ~68% are new payments, ~30% replays of an id
already sent (possibly still in flight on the twin client) and ~2% tampered resends
(same id, another amount). Then it checks, in the database, that rows == unique ids,
that the stored sum equals the sum of the unique payments to the fen, that allocations
plus overpayments account for every fen, and that no 2xx answer came back empty.

Usage::

    .venv/bin/python bench/money_replay_storm.py                  # 10,000 uploads, 8 clients
    .venv/bin/python bench/money_replay_storm.py --uploads 2000 --clients 4
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import multiprocessing
import random
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/arrears_money_bench"


@dataclass
class Pool:
    """The ids a collector has sent (shared by its two clients)."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Tally:
    codes: Counter[tuple[str, int]] = field(default_factory=Counter)
    empty: int = 0
    unexpected: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


def client(
    port: int,
    token: str,
    accounts: tuple[int, ...],
    pool: Pool,
    n: int,
    seed: int,
    tally: Tally,
    lock: threading.Lock,
) -> None:
    rnd = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    mine: list[dict[str, Any]] = []  # bodies this client has had an answer for
    for _ in range(n):
        roll = rnd.random()
        with pool.lock:
            shared = list(pool.sent[-200:])
        if roll < 0.02 and mine:
            kind, body = "tampered", dict(rnd.choice(mine))
            body["amount"] = f"{Decimal(body['amount']) + Decimal('0.01'):.2f}"
        elif roll < 0.32 and shared:
            kind, body = "replay", rnd.choice(shared)
        else:
            kind = "new"
            body = {
                "id": str(uuid.uuid4()),
                "account_id": rnd.choice(accounts),
                "amount": f"{Decimal(rnd.randint(100, 30000)) / 100:.2f}",
                "channel": "field_cash",
                "collected_at": "2026-04-09T10:00:00+08:00",
                "device_id": f"bench-{seed}",
            }
            with pool.lock:
                pool.sent.append(body)
        started = time.perf_counter()
        conn.request("POST", "/api/payments", body=json.dumps(body), headers=headers)
        resp = conn.getresponse()
        payload = json.loads(resp.read() or b"{}")
        elapsed = time.perf_counter() - started
        with lock:
            tally.latencies.append(elapsed)
            tally.codes[(kind, resp.status)] += 1
            if resp.status in (200, 201) and (
                payload.get("id") != body["id"] or not payload.get("receipt_no")
            ):
                tally.empty += 1
            ok = {"new": {201, 200}, "replay": {200, 201}, "tampered": {422}}[kind]
            if resp.status not in ok:
                tally.unexpected.append(f"{kind} -> {resp.status} {payload}")
        if kind == "new" and resp.status in (200, 201):
            mine.append(body)
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--accounts", type=int, default=50, help="accounts per collector")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--same-process", action="store_true", help="serve from a thread of this process"
    )
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere
    from api import create_app
    from api.config import TestConfig
    from core.db import ensure_database, upgrade_database
    from core.models import Payment, PaymentAllocation
    from core.models.ledger_extra import MoneyAudit, MoneyException
    from core.money.invariants import check_ledger
    from tests.support.committed import PASSWORD, committed_field

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    ensure_database(URL)
    upgrade_database(URL)
    app = create_app(TestConfig, DATABASE_URL=URL)
    collectors = max(1, args.clients // 2)
    setup = committed_field(
        app.extensions["db_engine"],
        app.extensions["passwords"],
        collectors=collectors,
        accounts_per_collector=args.accounts,
    )
    app.extensions["db_engine"].dispose()  # the server process opens its own connections
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    if args.same_process:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    else:  # its own process, so that the clients do not share the server's GIL
        serving = multiprocessing.get_context("fork").Process(
            target=server.serve_forever, daemon=True
        )
        serving.start()
        server.socket.close()

    tokens = []
    for username in setup.usernames:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request(
            "POST",
            "/api/auth/login",
            body=json.dumps({"username": username, "password": PASSWORD}),
            headers={"Content-Type": "application/json"},
        )
        tokens.append(json.loads(conn.getresponse().read())["access_token"])
        conn.close()

    per_collector = [
        setup.account_ids[i * args.accounts : (i + 1) * args.accounts] for i in range(collectors)
    ]
    pools = [Pool() for _ in range(collectors)]
    tally, lock = Tally(), threading.Lock()
    per_client = args.uploads // args.clients
    threads = [
        threading.Thread(
            target=client,
            args=(
                port,
                tokens[i % collectors],
                per_collector[i % collectors],
                pools[i % collectors],
                per_client,
                args.seed * 1000 + i,
                tally,
                lock,
            ),
        )
        for i in range(args.clients)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if args.same_process:
        server.shutdown()
    else:
        serving.terminate()
        serving.join()

    unique = {b["id"]: Decimal(b["amount"]) for p in pools for b in p.sent}
    engine = create_engine(URL)
    with Session(engine) as s:
        ids = [uuid.UUID(i) for i in unique]
        rows = s.scalar(select(func.count()).where(Payment.id.in_(ids)))
        stored = s.scalar(select(func.sum(Payment.amount)).where(Payment.id.in_(ids)))
        allocated = s.scalar(
            select(func.sum(PaymentAllocation.principal + PaymentAllocation.late_fee)).where(
                PaymentAllocation.payment_id.in_(ids)
            )
        ) or Decimal(0)
        over = s.scalar(
            select(func.sum(MoneyException.amount)).where(MoneyException.payment_id.in_(ids))
        ) or Decimal(0)
        audits = s.scalar(select(func.count()).where(MoneyAudit.entity_id.in_(ids)))
        violations = check_ledger(s, [setup.station_id])
    engine.dispose()
    app.extensions["db_engine"].dispose()

    sent = sum(tally.codes.values())
    lat = sorted(tally.latencies)
    expected_sum = sum(unique.values(), Decimal(0))
    print(
        f"uploads {sent} in {elapsed:.1f} s = {sent / elapsed:.0f} uploads/s "
        f"({args.clients} clients, {collectors} collectors)"
    )
    print(
        f"latency p50 {lat[len(lat) // 2] * 1000:.0f} ms, p95 "
        f"{lat[int(len(lat) * 0.95)] * 1000:.0f} ms, p99 {lat[int(len(lat) * 0.99)] * 1000:.0f} ms"
    )
    for (kind, code), count in sorted(tally.codes.items()):
        print(f"  {kind:9s} -> {code}: {count}")
    created = sum(c for (k, code), c in tally.codes.items() if code == 201)
    print(f"unique ids {len(unique)}, rows {rows}, 201 answers {created}, audit rows {audits}")
    print(
        f"sum sent {expected_sum}, sum stored {stored}, allocated {allocated} + "
        f"overpaid {over} = {allocated + over}"
    )
    print(f"empty answers {tally.empty}, unexpected statuses {len(tally.unexpected)}")
    print(f"ledger invariants (core.money.invariants): {violations or 'all hold'}")
    for line in tally.unexpected[:5]:
        print("   ", line[:200])
    ok = (
        rows == len(unique) == created == audits
        and stored == expected_sum == allocated + over
        and tally.empty == 0
        and not tally.unexpected
        and not violations
    )
    print("PASS" if ok else "FAIL")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
