"""redis-down: with Redis unreachable, money, sync, visits and logins keep working, and a
plan submission is queued in PostgreSQL (202, job row kept for the reaper), never a 500.

The shared Redis is left alone (other suites use it): this app's REDIS_URL, and so its
Celery broker and login throttle, point at a local port nobody listens on, a real
refused connection rather than a mock.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from api import create_app
from api.config import TestConfig
from api.plans import tasks
from core.models import Job, JobStatus, Payment
from core.users.throttle import MAX_FAILURES
from tests.conftest import TEST_DATABASE_URL
from tests.factories import PASSWORD
from tests.scoreboard.world import COLLECTED, World, build_world


def _closed_port() -> int:
    """A local TCP port with no listener (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def down_app(engine: Any, connection: Any) -> Iterator[Any]:
    """An app whose Redis (cache, throttle, Celery broker) refuses connections."""
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    down = create_app(TestConfig, DATABASE_URL=TEST_DATABASE_URL, REDIS_URL=url)
    down.extensions["db_sessionmaker"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield down
    down.extensions["db_engine"].dispose()


def _auth(client: Any, user: Any, device: str = "phone") -> dict[str, str]:
    resp = client.post(
        "/api/auth/login",
        json={"username": user.username, "password": PASSWORD, "device_id": device},
    )
    assert resp.status_code == 200, resp.get_json()
    return {"Authorization": f"Bearer {resp.json['access_token']}"}


@pytest.fixture
def world(factory: Any, client: Any) -> World:
    return build_world(factory, client)  # seeded through the healthy app


def test_redis_is_really_unreachable(down_app: Any) -> None:
    import redis

    with pytest.raises(redis.ConnectionError):
        down_app.extensions["redis"].ping()
    assert down_app.test_client().get("/api/health").status_code == 503


def test_money_and_sync_keep_working_without_redis(
    down_app: Any, world: World, session: Any
) -> None:
    """Payment, replay, batch, read, reversal, arrears, visit and sync: all answer 2xx."""
    c = down_app.test_client()
    col, sup = _auth(c, world.users["col"]), _auth(c, world.users["sup"])
    acc = world.accounts["a"].id
    body = {
        "id": str(uuid.uuid4()),
        "account_id": acc,
        "amount": "30.00",
        "channel": "field_cash",
        "collected_at": COLLECTED,
    }
    assert c.post("/api/payments", json=body, headers=col).status_code == 201
    replay = c.post("/api/payments", json=body, headers=col)
    assert replay.status_code == 200 and replay.json["replay"] is True
    items = [{**body, "id": str(uuid.uuid4()), "amount": "5.00"} for _ in range(3)]
    batch = c.post("/api/payments/batch", json={"items": items + [body]}, headers=col)
    assert batch.status_code == 200, batch.json
    assert (batch.json["created"], batch.json["replayed"]) == (3, 1)
    assert c.get(f"/api/payments/{body['id']}", headers=sup).status_code == 200
    reversal = c.post(
        f"/api/payments/{items[0]['id']}/reversal",
        json={"id": str(uuid.uuid4()), "reason": "录入错误"},
        headers=sup,
    )
    assert reversal.status_code == 201, reversal.json
    assert c.get(f"/api/arrears/{acc}", headers=col).status_code == 200
    visit = {
        "id": str(uuid.uuid4()),
        "account_id": acc,
        "outcome": "nobody_home",
        "device_time": COLLECTED,
    }
    assert c.post("/api/visits", json=visit, headers=col).status_code == 201
    full = c.get("/api/sync", headers=col)
    assert full.status_code == 200 and full.json["full"] is True
    assert c.get(f"/api/sync?cursor={full.json['cursor']}", headers=col).status_code == 200
    ids = [uuid.UUID(body["id"])] + [uuid.UUID(i["id"]) for i in items]
    stored = session.scalars(select(Payment.id).where(Payment.id.in_(ids))).all()
    assert sorted(stored) == sorted(ids)  # each once: the replays added nothing


def test_plan_submission_is_queued_in_postgres_without_redis(
    down_app: Any, world: World, session: Any
) -> None:
    """202 with the job row queued; the reaper finds it to ring again once Redis is back."""
    c = down_app.test_client()
    sup = _auth(c, world.users["sup"])
    resp = c.post(
        f"/api/stations/{world.station_a.id}/plans",
        json={"date": world.plan_date.isoformat(), "time_limit": 1},
        headers=sup,
    )
    assert resp.status_code == 202, resp.get_json()
    job_id = uuid.UUID(resp.json["id"])
    job = session.get(Job, job_id, populate_existing=True)
    assert job is not None and job.status is JobStatus.QUEUED
    assert c.get(f"/api/jobs/{job_id}", headers=sup).json["status"] == "queued"
    rung: list[uuid.UUID] = []
    # One transaction holds the whole test, so now() never moves: -1 s means "any age".
    tasks.reap_and_enqueue(down_app.extensions["db_sessionmaker"], rung.append, -1.0)
    assert job_id in rung  # not lost: the reaper rings for it


def test_login_throttle_falls_back_in_process_without_redis(down_app: Any, world: World) -> None:
    """Logins work; repeated failures are still throttled per username (whatever the
    device), never 500."""
    c = down_app.test_client()
    user = world.users["col_t"]
    _auth(c, user, device="d1")
    for _ in range(MAX_FAILURES):
        bad = c.post(
            "/api/auth/login",
            json={"username": user.username, "password": "wrong-pass", "device_id": "d1"},
        )
        assert bad.status_code == 401
    blocked = c.post(
        "/api/auth/login",
        json={"username": user.username, "password": PASSWORD, "device_id": "d1"},
    )
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert blocked.mimetype == "application/problem+json"
    other_device = c.post(
        "/api/auth/login",
        json={"username": user.username, "password": PASSWORD, "device_id": "d2"},
    )
    assert other_device.status_code == 429  # a new device id does not reset the count
    down_app.extensions["login_throttle"].succeeded(user.username)
    _auth(c, user, device="d2")
