"""A published day for the collector's app on the live server: 古城供电所 (the demo's small
station, so the dashboard's tests on 景村 are not disturbed) planned for today over HTTP,
the job run in-process against the live database as at 07:00, and published.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.live import LiveServer
from tests.support.plans import FAST, TZ

SUPERVISOR = ("supervisor-gucheng", "supervisor-demo")
COLLECTOR_PASSWORD = "collector-demo"
COLLECTORS = ("collector-gucheng-01", "collector-gucheng-02")


@dataclass(frozen=True)
class PublishedDay:
    collector: str
    password: str
    collector_id: int
    station_id: int
    stops: list[dict[str, Any]]


def http(
    server: LiveServer, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any]:
    """One JSON request to the live server: status and parsed body."""
    req = urllib.request.Request(
        f"{server.url}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        raw = err.read()
        return err.code, json.loads(raw) if raw else None


def login(server: LiveServer, username: str, password: str) -> str:
    body = {"username": username, "password": password}
    status, body = http(server, "POST", "/api/auth/login", body)
    assert status == 200, body
    return str(body["access_token"])


@pytest.fixture(scope="session")
def published_day(live_server: LiveServer) -> Iterator[PublishedDay]:
    """Today's plan of 古城 published; the collector with the most stops and their route."""
    from sqlalchemy.orm import sessionmaker

    from api.config import TestConfig
    from core.db import make_engine
    from core.planning.runner import run_plan_job

    sup = login(live_server, *SUPERVISOR)
    status, me = http(live_server, "GET", "/api/auth/me", token=sup)
    station_id = me["stations"][0]["id"]
    today = live_server.today.isoformat()
    status, job = http(
        live_server,
        "POST",
        f"/api/stations/{station_id}/plans",
        {"date": today, "time_limit": 1},
        sup,
    )
    assert status == 202, job
    engine = make_engine(
        live_server.database_url, statement_timeout_ms=60_000, role=TestConfig.DATABASE_ROLE
    )
    try:
        morning = dt.datetime.combine(live_server.today, dt.time(7), TZ)
        outcome = run_plan_job(sessionmaker(bind=engine), uuid.UUID(job["id"]), FAST, now=morning)
        assert outcome in ("done", "not_claimed")
    finally:
        engine.dispose()
    status, job = http(live_server, "GET", f"/api/jobs/{job['id']}", token=sup)
    assert job["status"] == "done", job
    plan_id = job["result"]["plan_id"]
    status, body = http(live_server, "POST", f"/api/plans/{plan_id}/publish", {}, sup)
    if status == 409:  # the check's verdict: publish anyway, it is a test day
        body = {"override_reason": "browser test of the collector's app"}
        status, body = http(live_server, "POST", f"/api/plans/{plan_id}/publish", body, sup)
    assert status == 200, body
    routes = []
    for username in COLLECTORS:
        token = login(live_server, username, COLLECTOR_PASSWORD)
        status, route = http(live_server, "GET", "/api/me/route", token=token)
        if status == 200:
            routes.append((len(route["stops"]), username, route))
    _, username, route = max(routes)
    yield PublishedDay(
        username, COLLECTOR_PASSWORD, route["collector_id"], station_id, route["stops"]
    )
