"""Re-plan my day: from the current position, done stops kept first, paid accounts dropped."""

from __future__ import annotations

import datetime as dt
import uuid

from core.models import Outcome
from core.planning.runner import run_plan_job
from tests.support.plans import FAST, TZ, build_day, local_today, pay_in_full, visit


def test_replan_keeps_done_stops_drops_paid_and_starts_here(
    factory, client, app, session, plan_day, rung
):
    """A re-plan publishes a new version: visited stop first and locked, paid account gone,
    the route starts at the given position, the other collector's route unchanged."""
    day = build_day(factory, per_side=4)
    day.plan_date = local_today()
    sup = factory.token(day.supervisor, client)
    before = plan_day(day, sup)
    me = factory.token(day.west, client)
    route = client.get(f"/api/me/route?date={day.plan_date}", headers=me).json
    done_acc, paid_acc = route["stops"][0]["account"]["id"], route["stops"][1]["account"]["id"]
    done = next(a for a in day.accounts["west"] if a.id == done_acc)
    paid = next(a for a in day.accounts["west"] if a.id == paid_acc)
    visit(session, done, day.west, Outcome.REFUSED, days_ago=0, hour=8)
    pay_in_full(session, paid)

    here = (110.285, 34.135)
    resp = client.post(
        "/api/me/route/replan",
        json={"lon": here[0], "lat": here[1], "date": day.plan_date.isoformat(), "time_limit": 1},
        headers=me,
    )
    assert resp.status_code == 202, resp.json
    job_id = uuid.UUID(resp.json["id"])
    ten_am = dt.datetime.combine(day.plan_date, dt.time(10), TZ)
    outcome = run_plan_job(app.extensions["db_sessionmaker"], job_id, FAST, now=ten_am)
    assert outcome == "done"
    job = client.get(f"/api/jobs/{job_id}", headers=me).json
    assert job["status"] == "done"

    after = client.get(f"/api/me/route?date={day.plan_date}", headers=me).json
    assert after["plan_id"] == job["result"]["plan_id"] != before["id"]
    accounts = [s["account"]["id"] for s in after["stops"]]
    assert accounts[0] == done_acc and after["stops"][0]["locked"] is True
    assert paid_acc not in accounts and accounts.count(done_acc) == 1
    assert after["geometry"]["coordinates"][0] == list(here)
    later = [s for s in after["stops"] if not s["locked"]]
    assert later and all(s["eta"] >= ten_am.astimezone(dt.UTC).isoformat() for s in later)

    old_east = next(r for r in before["routes"] if r["collector_id"] == day.east.id)
    new_plan = client.get(f"/api/plans/{after['plan_id']}", headers=sup).json
    new_east = next(r for r in new_plan["routes"] if r["collector_id"] == day.east.id)
    assert [s["account_id"] for s in new_east["stops"]] == [
        s["account_id"] for s in old_east["stops"]
    ]
    assert client.get(f"/api/plans/{before['id']}", headers=sup).json["status"] == "superseded"


def test_replan_needs_a_published_route_and_a_collector(factory, client, rung):
    """Without a published route the answer is 404; supervisors get 403."""
    day = build_day(factory, per_side=1)
    body = {"lon": 110.28, "lat": 34.13, "date": day.plan_date.isoformat()}
    assert (
        client.post(
            "/api/me/route/replan", json=body, headers=factory.token(day.west, client)
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/me/route/replan", json=body, headers=factory.token(day.supervisor, client)
        ).status_code
        == 403
    )
    bad = body | {"lat": 95}
    assert (
        client.post(
            "/api/me/route/replan", json=bad, headers=factory.token(day.west, client)
        ).status_code
        == 422
    )
    assert rung == []


def test_replan_fails_cleanly_when_the_published_plan_changed(factory, client, app, plan_day):
    """If the supervisor publishes a new version meanwhile, the re-plan job fails, no plan."""
    day = build_day(factory, per_side=2)
    day.plan_date = local_today()
    sup = factory.token(day.supervisor, client)
    plan_day(day, sup)
    me = factory.token(day.west, client)
    resp = client.post(
        "/api/me/route/replan",
        json={"lon": 110.28, "lat": 34.13, "date": day.plan_date.isoformat(), "time_limit": 1},
        headers=me,
    )
    newer = plan_day(day, sup)  # v2 published while the re-plan waits in the queue
    ten_am = dt.datetime.combine(day.plan_date, dt.time(10), TZ)
    job_id = uuid.UUID(resp.json["id"])
    assert run_plan_job(app.extensions["db_sessionmaker"], job_id, FAST, now=ten_am) == "conflict"
    job = client.get(f"/api/jobs/{job_id}", headers=me).json
    assert job["status"] == "failed" and "changed" in job["error"]
    assert (
        client.get(f"/api/me/route?date={day.plan_date}", headers=me).json["plan_id"] == newer["id"]
    )
    versions = client.get(
        f"/api/stations/{day.station.id}/plans?date={day.plan_date}", headers=sup
    ).json
    assert [(p["version"], p["status"]) for p in versions] == [(2, "published"), (1, "superseded")]
