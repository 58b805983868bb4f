"""throttle-hold, the flood half (issue 16, item 6): the demo as `make run` serves it
(gunicorn, real argon2 cost) under a flood of logins from many clients answers the excess
with 503 + Retry-After (bounded hashing queue) or 429 (per-address limit), never 500, and
money and sync requests made during the flood answer. The latencies are printed; the
figures with a timing come from bench/login_flood.py."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from types import SimpleNamespace
from typing import Any

from tests.support.collector_app import login
from tests.support.gunicorn import gunicorn_demo


def _post(base: str, path: str, body: Any) -> tuple[int, str | None]:
    req = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, None
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Retry-After")


def _get(base: str, path: str, token: str) -> tuple[int, float]:
    t0 = time.monotonic()
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        resp.read()
        return resp.status, time.monotonic() - t0


def test_login_flood_leaves_money_and_sync_answering(live_server, published_day, tmp_path):
    """24 clients flood wrong logins; the excess gets 503/429 at once, never 500; a cash
    balance and a sync read made meanwhile answer 200."""
    env = {"ARREARS_THREADS": "6", "ARREARS_LOGIN_PER_ADDRESS_PER_MINUTE": "100000"}
    with gunicorn_demo(live_server.database_url, tmp_path, env) as base:
        token = login(SimpleNamespace(url=base), published_day.collector, published_day.password)
        stop = threading.Event()
        answers: list[tuple[int, str | None]] = []
        lock = threading.Lock()

        def _flood() -> None:
            while not stop.is_set():
                got = _post(
                    base,
                    "/api/auth/login",
                    {"username": f"flood-{uuid.uuid4().hex[:10]}", "password": "wrong-password"},
                )
                with lock:
                    answers.append(got)

        threads = [threading.Thread(target=_flood) for _ in range(24)]
        for t in threads:
            t.start()
        try:
            time.sleep(2)  # the flood is on
            money = _get(base, f"/api/cash/collectors/{published_day.collector_id}", token)
            sync = _get(base, "/api/auth/me", token)
        finally:
            stop.set()
            for t in threads:
                t.join()
    statuses = [s for s, _ in answers]
    print(f"flood: {len(statuses)} logins, money {money[1]:.2f} s, me {sync[1]:.2f} s")
    assert money[0] == 200 and sync[0] == 200
    assert 500 not in statuses
    assert set(statuses) <= {401, 429, 503}, set(statuses)
    assert statuses.count(503) > 0  # the queue is bounded: the excess is refused at once
    assert all(ra and int(ra) >= 1 for s, ra in answers if s in (429, 503))
