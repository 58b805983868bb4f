"""Plans on the live server (browser tests): request a day's plan over HTTP, run its job
in this process against the live database, publish it over HTTP."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.request
import uuid
from typing import Any

from sqlalchemy.orm import sessionmaker

from core.planning.runner import run_plan_job
from tests.support.plans import FAST, TZ


def call(base: str, path: str, token: str | None = None, body: Any = None, method: str = "") -> Any:
    """One JSON call to the live server (its JSON answer, None for 204)."""
    req = urllib.request.Request(
        base + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method or ("POST" if body is not None else "GET"),
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        data = resp.read()
        return json.loads(data) if data else None


def token(base: str, username: str, password: str) -> str:
    body = {"username": username, "password": password}
    return str(call(base, "/api/auth/login", body=body)["access_token"])


def plan_day(
    base: str,
    database_url: str,
    tok: str,
    station_id: int,
    day: dt.date,
    *,
    publish: bool,
    at: dt.time = dt.time(7),
) -> dict[str, Any]:
    """A plan for ``day`` (planned as at ``at``), published or left a draft; the plan body."""
    from api.config import TestConfig
    from core.db import make_engine

    job = call(
        base, f"/api/stations/{station_id}/plans", tok, {"date": day.isoformat(), "time_limit": 2}
    )
    job_id = uuid.UUID(job["id"])
    engine = make_engine(database_url, statement_timeout_ms=120_000, role=TestConfig.DATABASE_ROLE)
    try:
        now = dt.datetime.combine(day, at, TZ)
        run_plan_job(sessionmaker(bind=engine), job_id, FAST, now=now)
    finally:
        engine.dispose()
    deadline = time.monotonic() + 120  # a worker of the machine may have claimed it first
    while (state := call(base, f"/api/jobs/{job_id}", tok))["status"] != "done":
        assert state["status"] not in ("failed", "dead") and time.monotonic() < deadline, state
        time.sleep(0.5)
    plan_id = state["result"]["plan_id"]
    if publish:
        call(base, f"/api/plans/{plan_id}/publish", tok, {})
    return dict(call(base, f"/api/plans/{plan_id}?compact=true", tok))


def visit_first_stops(
    base: str, plan: dict[str, Any], users: dict[int, str], password: str, outcome: str, n: int
) -> list[dict[str, Any]]:
    """Each route's collector visits its first ``n`` stops now, at the door (a GNSS fix on
    the account); the visit bodies sent."""
    sent = []
    for route in plan["routes"]:
        tok = token(base, users[route["collector_id"]], password)
        for stop in route["stops"][:n]:
            account = call(base, f"/api/accounts/{stop['account_id']}", tok)
            body = {
                "id": str(uuid.uuid4()),
                "account_id": stop["account_id"],
                "outcome": outcome,
                "device_time": dt.datetime.now(dt.UTC).isoformat(),
                "fix": {**account["location"], "accuracy_m": 8, "crs": "wgs84"},
            }
            call(base, "/api/visits", tok, body)
            sent.append(body)
    return sent
