"""Cores shared between plan jobs and their route searches (core/planning/cores.py)."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from sqlalchemy import update

from core.models import Job, JobStatus, Plan
from core.planning import compute_plan, jobs, runner
from core.planning.cores import machine_cores, search_processes
from core.planning.draft import MIN_SEARCH_SHARE, PlanRequest
from core.planning.replan import REPLAN_KIND
from core.planning.runner import FinishTimes, run_plan_job
from tests.support.plans import FAST, build_day


@pytest.mark.parametrize(
    ("most", "cores", "jobs_at_once", "active", "expected"),
    [
        (2, 2, 2, 1, 2),  # alone on the machine: every core
        (2, 2, 2, 2, 1),  # a second job will run beside it: a core each
        (2, 2, 2, 20, 1),  # a deep queue: still a core each (jobs x processes <= cores)
        (2, 2, 1, 20, 2),  # one job at a time: it keeps both cores however deep the queue
        (1, 2, 2, 1, 1),  # the configured ceiling holds
        (8, 8, 2, 1, 8),
        (8, 8, 2, 5, 4),
        (4, 8, 3, 9, 2),  # 8 // 3
        (2, 2, 4, 9, 1),  # more jobs than cores: never below one
    ],
)
def test_search_processes_share_the_cores_by_queue_depth(
    most, cores, jobs_at_once, active, expected
):
    got = search_processes(most=most, cores=cores, jobs_at_once=jobs_at_once, active_jobs=active)
    assert got == expected
    assert min(jobs_at_once, active) * got <= cores or got == 1


def test_machine_cores_is_the_configured_count_or_the_machines():
    assert machine_cores(3) == 3
    assert machine_cores(0) >= 1


def test_re_plans_count_in_the_queue():
    assert REPLAN_KIND in jobs.SOLVE_KINDS


def _submit(client, headers, day):
    resp = client.post(
        f"/api/stations/{day.station.id}/plans",
        json={"date": day.plan_date.isoformat(), "time_limit": 1},
        headers=headers,
    )
    assert resp.status_code == 202, resp.json
    return uuid.UUID(resp.json["id"])


def test_a_job_alone_searches_on_every_core_and_one_beside_a_queue(
    factory, client, app, session, rung
):
    """On a 2-core machine running 2 jobs at once: a job alone in the queue searches with
    2 processes; with another station's job waiting, with 1 (the job's result says so)."""
    # The queue holds only what this test adds (rolled back with the test).
    session.execute(
        update(Job)
        .where(Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        .values(status=JobStatus.FAILED)
        .execution_options(synchronize_session=False)
    )
    settings = replace(FAST, workers=2, cores=2, jobs_at_once=2)
    sessions = app.extensions["db_sessionmaker"]
    day = build_day(factory, per_side=2)
    headers = factory.token(day.supervisor, client)

    alone = _submit(client, headers, day)
    assert run_plan_job(sessions, alone, settings) == "done"
    result = session.get(Job, alone).result
    assert result["search_processes"] == 2
    # A day's plan job: its limit covers the gathering too.
    assert session.get(Plan, result["plan_id"]).summary["search_limit"] < 1

    other = build_day(factory, per_side=1)
    waiting = _submit(client, factory.token(other.supervisor, client), other)
    beside = _submit(client, headers, day)
    assert run_plan_job(sessions, beside, settings) == "done"
    assert session.get(Job, beside).result["search_processes"] == 1
    assert session.get(Job, waiting).status is JobStatus.QUEUED


def test_a_plan_jobs_limit_covers_gathering_searching_and_storing(factory, session):
    """With limit_includes_gather the search gets what gathering and the finish reserve
    left of the limit (at least MIN_SEARCH_SHARE of it); without, the whole limit."""
    day = build_day(factory, per_side=2)
    base = PlanRequest(station_id=day.station.id, plan_date=day.plan_date, time_limit=2)
    alone = compute_plan(session, base).summary
    assert alone["search_limit"] == 2
    for reserve in (0.0, 0.5, 5.0):
        req = replace(base, limit_includes_gather=True, finish_reserve=reserve)
        whole = compute_plan(session, req).summary
        gathered = whole["seconds"]["gather"]
        expected = max(2 - gathered - reserve, 2 * MIN_SEARCH_SHARE)
        assert abs(whole["search_limit"] - expected) <= 0.02 and whole["search_limit"] < 2
        assert {"gather", "matrix", "check", "classify", "routes", "total"} <= set(
            whole["seconds"]
        )


def test_a_plan_job_reports_where_its_time_went_and_keeps_its_storing_time(
    factory, client, app, session, rung, monkeypatch
):
    """The job's result times each phase, storing included; the worker's finish estimate
    moves toward what the routes and the storing took, and the next day's plan job keeps
    that much of its limit."""
    finish = FinishTimes(first=0.9, weight=0.5)
    monkeypatch.setattr(runner, "FINISH_TIMES", finish)
    sessions = app.extensions["db_sessionmaker"]
    day = build_day(factory, per_side=2)
    headers = factory.token(day.supervisor, client)
    job = _submit(client, headers, day)
    assert run_plan_job(sessions, job, FAST) == "done"
    result = session.get(Job, job).result
    seconds = result["seconds"]
    assert {"gather", "matrix", "model", "first_solution", "routes", "store"} <= set(seconds)
    took = seconds["routes"] + seconds["store"]
    assert finish.value == pytest.approx(0.9 + 0.5 * (took - 0.9), abs=0.05)
    summary = session.get(Plan, result["plan_id"]).summary
    assert summary["search_limit"] == pytest.approx(
        max(1 - seconds["gather"] - 0.9, MIN_SEARCH_SHARE), abs=0.02
    )


def test_the_core_share_settings_come_from_the_config():
    from api.plans.tasks import settings_from_config

    got = settings_from_config({"PLAN_SOLVER_WORKERS": 2, "PLAN_CORES": 4, "PLAN_JOBS_AT_ONCE": 2})
    assert (got.workers, got.cores, got.jobs_at_once) == (2, 4, 2)
    default = settings_from_config({})
    assert (default.workers, default.cores, default.jobs_at_once) == (1, 0, 1)
