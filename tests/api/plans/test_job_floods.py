"""Job floods (issue 16.15): one active plan job per station and day, one re-plan per
collector, and per-user rate limits on plans, re-plans, imports and exports."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from core.planning.runner import run_plan_job
from tests.support.plans import FAST, build_day, local_today


def _submit(client, day, headers, date=None):
    return client.post(
        f"/api/stations/{day.station.id}/plans",
        json={"date": (date or day.plan_date).isoformat(), "time_limit": 1},
        headers=headers,
    )


@pytest.fixture
def limits(app):
    """Tight limits for one test (restored after it)."""
    before = app.config["RATE_LIMITS"]
    app.config["RATE_LIMITS"] = {**before}
    yield app.config["RATE_LIMITS"]
    app.config["RATE_LIMITS"] = before


def test_a_second_plan_of_the_same_day_is_409_with_the_running_job(factory, client, app, rung):
    """While a plan job of the station's day is queued, another answers 409 with its link."""
    day = build_day(factory, per_side=1)
    sup = factory.token(day.supervisor, client)
    first = _submit(client, day, sup)
    assert first.status_code == 202
    second = _submit(client, day, sup)
    assert second.status_code == 409 and second.mimetype == "application/problem+json"
    assert second.json["job_id"] == first.json["id"]
    assert second.headers["Location"] == second.json["job"] == f"/api/jobs/{first.json['id']}"
    other_day = _submit(client, day, sup, day.plan_date + dt.timedelta(days=1))
    assert other_day.status_code == 202
    job_id = uuid.UUID(first.json["id"])
    assert run_plan_job(app.extensions["db_sessionmaker"], job_id, FAST) == "done"
    assert _submit(client, day, sup).status_code == 202


def test_a_second_replan_of_a_collector_is_409(factory, client, plan_day, rung):
    """A collector's second re-plan while the first is queued answers 409 with the first."""
    day = build_day(factory, per_side=2)
    day.plan_date = local_today()
    plan_day(day, factory.token(day.supervisor, client))
    me = factory.token(day.west, client)
    body = {"lon": 110.285, "lat": 34.135, "date": day.plan_date.isoformat(), "time_limit": 1}
    first = client.post("/api/me/route/replan", json=body, headers=me)
    second = client.post("/api/me/route/replan", json=body, headers=me)
    assert (first.status_code, second.status_code) == (202, 409)
    assert second.json["job_id"] == first.json["id"]


def test_plan_submissions_are_rate_limited_per_user(factory, client, rung, limits):
    """Past the per-user limit plan submissions answer 429 with Retry-After; others go on."""
    limits["plan"] = [2, 600]
    day = build_day(factory, per_side=1)
    sup = factory.token(day.supervisor, client)
    codes = [
        _submit(client, day, sup, day.plan_date + dt.timedelta(days=i)).status_code
        for i in range(3)
    ]
    assert codes == [202, 202, 429]
    refused = _submit(client, day, sup, day.plan_date + dt.timedelta(days=5))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    other = factory.user("supervisor", day.station)
    late = day.plan_date + dt.timedelta(days=6)
    assert _submit(client, day, factory.token(other, client), late).status_code == 202


def test_imports_and_exports_are_rate_limited_per_user(client, field, limits):
    """A second channel import or table export past a limit of one answers 429; the map's
    GeoJSON pages are a list, not an export, and stay unlimited."""
    limits["import"] = [1, 600]
    limits["export"] = [1, 600]
    csv = "channel_txn_id,account_number,amount,paid_at\n"
    url = "/api/payments/import?channel=bank"
    headers = field.supervisor_auth | {"Content-Type": "text/csv"}
    assert client.post(url, data=csv, headers=headers).status_code == 200
    assert client.post(url, data=csv, headers=headers).status_code == 429
    table = f"/api/exports/arrears?station_id={field.station.id}&format=csv"
    assert client.get(table, headers=field.supervisor_auth).status_code == 200
    assert client.get(table, headers=field.supervisor_auth).status_code == 429
    for _ in range(3):
        pages = client.get("/api/accounts.geojson", headers=field.supervisor_auth)
        assert pages.status_code == 200
