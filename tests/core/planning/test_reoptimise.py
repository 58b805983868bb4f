"""Re-optimise as a plan job: conflicts when it runs, locks judged again, the doorbell."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select, text, update

import routing
from api.plans import tasks
from core.models import Job, Plan, PlanStatus, Territory
from core.planning import runner
from core.planning.draft import PlanDraft
from core.planning.reoptimise import ReoptimiseContext, store_reoptimised
from core.planning.versions import PlanConflict
from tests.support.plan_edit import body, reoptimise, route_of, run_job, stops_of
from tests.support.plans import build_day, pay_in_full


def _versions(client, day, sup):
    url = f"/api/stations/{day.station.id}/plans?date={day.plan_date}"
    return [(p["version"], p["status"]) for p in client.get(url, headers=sup).json]


def _locked_edit(client, day, sup, plan, locked):
    west = [a.id for a in day.accounts["west"]]
    resp = client.put(
        f"/api/plans/{plan['id']}/routes",
        json=[body(day.west.id, west, locked=set(locked))],
        headers=sup,
    )
    assert resp.status_code == 201, resp.json
    return resp.json["plan_id"]


def test_a_base_plan_superseded_while_queued_fails_the_job_and_stores_nothing(
    factory, client, app, plan_day
):
    """Publishing a newer version before the worker runs: the job fails once, with a clear
    error, and no version is added."""
    day = build_day(factory, per_side=2)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup)
    resp = reoptimise(client, plan["id"], sup)
    edited = client.put(
        f"/api/plans/{plan['id']}/routes",
        json=[body(day.west.id, stops_of(plan, day.west.id)[::-1])],
        headers=sup,
    ).json
    assert client.post(f"/api/plans/{edited['plan_id']}/publish", headers=sup).status_code == 200
    assert run_job(app, resp.json["id"]) == "conflict"
    job = client.get(f"/api/jobs/{resp.json['id']}", headers=sup).json
    assert job["status"] == "failed" and job["attempts"] == 1
    assert "superseded" in job["error"] and str(plan["id"]) in job["error"]
    assert run_job(app, resp.json["id"]) == "not_claimed"
    assert _versions(client, day, sup) == [(2, "published"), (1, "superseded")]


def test_storing_refuses_a_base_plan_superseded_during_the_solve(
    factory, client, session, plan_day
):
    """The store step re-checks the base plan under the day's lock."""
    day = build_day(factory, per_side=2)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup)
    base = session.get(Plan, plan["id"])
    base.status = PlanStatus.SUPERSEDED
    session.flush()
    draft = PlanDraft(day.station.id, day.plan_date, (), {})
    with pytest.raises(PlanConflict, match="superseded"):
        store_reoptimised(
            session, draft, ReoptimiseContext(plan["id"], ()), job_id=uuid.uuid4(), created_by=None
        )
    assert session.scalars(select(Plan).where(Plan.station_id == day.station.id)).all() == [base]


def test_a_lock_paid_after_submission_is_dropped_when_the_job_runs(
    factory, client, app, session, plan_day
):
    """Locks are judged again by the worker: one paid off since the 202 is dropped with its
    reason instead of failing the solve."""
    day = build_day(factory, per_side=3)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup, publish=False)
    west = [a.id for a in day.accounts["west"]]
    edited_id = _locked_edit(client, day, sup, plan, {west[0], west[1]})
    resp = reoptimise(client, edited_id, sup)
    assert resp.json["dropped_locks"] == []
    pay_in_full(session, day.accounts["west"][1])
    assert run_job(app, resp.json["id"]) == "done"
    new = client.get(f"/api/plans/{edited_id + 1}", headers=sup).json
    assert new["summary"]["reoptimised_from"] == edited_id
    assert new["summary"]["dropped_locks"] == [{"account_id": west[1], "reason": "no_arrears"}]
    stops = route_of(new, day.west.id)["stops"]
    assert stops[0]["account_id"] == west[0] and stops[0]["locked"]
    assert west[1] not in [s["account_id"] for s in stops]


def test_a_lock_outside_the_collectors_territory_now_is_dropped(
    factory, client, app, session, plan_day
):
    """A lock on an account whose territory went to another collector is dropped with
    ``outside_territory``; the account may land on the new collector's route."""
    day = build_day(factory, per_side=2)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup, publish=False)
    west = [a.id for a in day.accounts["west"]]
    edited_id = _locked_edit(client, day, sup, plan, {west[0]})
    territory = session.scalars(
        select(Territory).where(Territory.station_id == day.station.id, Territory.name == "西片")
    ).one()
    territory.collectors.remove(day.west)
    territory.collectors.append(day.east)
    session.flush()
    resp = reoptimise(client, edited_id, sup)
    assert resp.json["dropped_locks"] == [{"account_id": west[0], "reason": "outside_territory"}]
    assert "pinned" not in resp.json["request"]
    assert run_job(app, resp.json["id"]) == "done"
    new = client.get(f"/api/plans/{edited_id + 1}", headers=sup).json
    assert not any(s["locked"] for r in new["routes"] for s in r["stops"])
    assert west[0] not in stops_of(new, day.west.id)


def test_pins_the_planner_cannot_place_fail_the_job_without_retries(
    factory, client, app, plan_day, monkeypatch
):
    """A solver refusal of the pins is final: failed on the first attempt, with the reason."""
    day = build_day(factory, per_side=2)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup, publish=False)
    edited_id = _locked_edit(client, day, sup, plan, {day.accounts["west"][0].id})
    resp = reoptimise(client, edited_id, sup)

    def refuse(*_a, **_k):
        raise routing.ProblemError("pinned", "a1 cannot be reached in the shift")

    monkeypatch.setattr(runner, "compute_plan", refuse)
    assert run_job(app, resp.json["id"]) == "conflict"
    job = client.get(f"/api/jobs/{resp.json['id']}", headers=sup).json
    assert job["status"] == "failed" and job["attempts"] == 1
    assert job["error"].startswith("The locked stops cannot be kept")
    assert _versions(client, day, sup) == [(2, "draft"), (1, "draft")]


def test_a_failed_doorbell_leaves_the_job_queued_for_the_reaper(
    factory, client, app, session, plan_day, monkeypatch
):
    """Redis down at submission: still 202, the job stays queued, the reaper rings again."""
    day = build_day(factory, per_side=2)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup, publish=False)
    monkeypatch.setitem(app.extensions, "plans.enqueue", lambda _j: False)
    resp = reoptimise(client, plan["id"], sup)
    job_id = uuid.UUID(resp.json["id"])
    session.execute(
        update(Job).where(Job.id == job_id).values(created_at=text("now() - interval '5 minutes'"))
    )
    rang: list[uuid.UUID] = []
    report = tasks.reap_and_enqueue(app.extensions["db_sessionmaker"], rang.append)
    assert job_id in report.to_enqueue and job_id in rang
    assert run_job(app, resp.json["id"]) == "done"
    assert _versions(client, day, sup) == [(2, "draft"), (1, "draft")]


def test_the_reoptimise_budget_cap_is_configurable(
    factory, client, app, rung, plan_day, monkeypatch
):
    """``PLAN_REOPTIMISE_MAX_TIME_LIMIT`` moves the cap (default 10 s)."""
    day = build_day(factory, per_side=2)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup, publish=False)
    url = f"/api/plans/{plan['id']}/reoptimise"
    assert client.post(url, json={"time_limit": 15}, headers=sup).status_code == 422
    monkeypatch.setitem(app.config, "PLAN_REOPTIMISE_MAX_TIME_LIMIT", 20)
    resp = reoptimise(client, plan["id"], sup, time_limit=15)
    assert resp.json["request"]["time_limit"] == 15
    monkeypatch.setitem(app.config, "PLAN_REOPTIMISE_MAX_TIME_LIMIT", 1)
    assert client.post(url, json={"time_limit": 2}, headers=sup).status_code == 422


def test_a_plan_day_out_of_the_planning_range_answers_409(factory, client, session, plan_day):
    """A day too far back to plan cannot be re-optimised either."""
    day = build_day(factory, per_side=2)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup, publish=False)
    session.get(Plan, plan["id"]).plan_date = day.plan_date - dt.timedelta(days=5)
    session.flush()
    resp = client.post(f"/api/plans/{plan['id']}/reoptimise", json={}, headers=sup)
    assert resp.status_code == 409 and "cannot be re-optimised" in resp.json["detail"]
