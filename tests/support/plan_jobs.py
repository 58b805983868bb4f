"""Fixtures for plan tests: no job reaches Redis; a helper that plans and publishes a day."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from core.planning.runner import run_plan_job
from tests.support.plans import FAST, TZ, local_today


@pytest.fixture
def rung(app, monkeypatch):
    """Jobs enqueued during the test (nothing reaches Redis)."""
    seen: list[uuid.UUID] = []
    monkeypatch.setitem(app.extensions, "plans.enqueue", lambda j: seen.append(j) or True)
    return seen


@pytest.fixture
def plan_day(client, app, rung):
    """Plan ``day`` over HTTP, run the job in-process, optionally publish; returns the plan."""

    def run(day, headers, *, publish=True, now=None, **body):
        # A day planned for today is planned as at 07:00 that morning, so the test does not
        # depend on the clock (a plan for the current day starts from now).
        if now is None and day.plan_date == local_today():
            now = dt.datetime.combine(day.plan_date, dt.time(7), TZ)
        resp = client.post(
            f"/api/stations/{day.station.id}/plans",
            json={"date": day.plan_date.isoformat(), "time_limit": 1, **body},
            headers=headers,
        )
        assert resp.status_code == 202, resp.json
        job_id = uuid.UUID(resp.json["id"])
        assert run_plan_job(app.extensions["db_sessionmaker"], job_id, FAST, now=now) == "done"
        plan_id = client.get(f"/api/jobs/{job_id}", headers=headers).json["result"]["plan_id"]
        if publish:
            assert client.post(f"/api/plans/{plan_id}/publish", headers=headers).status_code == 200
        return client.get(f"/api/plans/{plan_id}", headers=headers).json

    return run
