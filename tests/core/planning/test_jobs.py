"""Plan jobs over HTTP: submit, claim, heartbeat, reap, finish exactly once."""

from __future__ import annotations

import datetime as dt
import time
import uuid

from sqlalchemy import select, text, update

from api.plans import tasks
from core.models import Job, JobStatus, Plan, PlanStatus
from core.planning import jobs
from core.planning.runner import run_plan_job
from tests.support.plans import FAST, build_day


def _submit(client, headers, station_id, plan_date, **body):
    return client.post(
        f"/api/stations/{station_id}/plans",
        json={"date": plan_date.isoformat(), "time_limit": 1, **body},
        headers=headers,
    )


def test_plan_job_runs_to_a_published_plan_over_http(factory, client, app, rung):
    """Submit -> 202 + Location, the task claims and solves, GET job -> done, publish."""
    day = build_day(factory)
    headers = factory.token(day.supervisor, client)
    resp = _submit(client, headers, day.station.id, day.plan_date)
    assert resp.status_code == 202, resp.json
    job_id = resp.json["id"]
    assert resp.headers["Location"] == f"/api/jobs/{job_id}"
    assert resp.json["status"] == "queued" and rung == [uuid.UUID(job_id)]

    assert run_plan_job(app.extensions["db_sessionmaker"], uuid.UUID(job_id), FAST) == "done"
    job = client.get(f"/api/jobs/{job_id}", headers=headers).json
    assert job["status"] == "done" and job["attempts"] == 1
    plan_url = job["links"]["plan"]
    plan = client.get(plan_url, headers=headers).json
    assert plan["status"] == "draft" and plan["version"] == 1
    stops = [s for r in plan["routes"] for s in r["stops"]]
    assert len(stops) == 8 and {r["collector_id"] for r in plan["routes"]} == {
        day.west.id,
        day.east.id,
    }
    assert all(
        s["explain"]["formula"] == "overdue_when_planned x p_pay x p_home x (1 - p_self)"
        for s in stops
    )
    assert plan["routes"][0]["path"]["type"] == "LineString"

    published = client.post(f"{plan_url}/publish", headers=headers)
    assert published.status_code == 200 and published.json["status"] == "published"


def test_republishing_supersedes_the_previous_plan(factory, client, app, rung):
    """Publishing version 2 of a day marks version 1 superseded; v1 cannot be re-published."""
    day = build_day(factory, per_side=2)
    headers = factory.token(day.supervisor, client)
    plan_ids = []
    for _ in range(2):
        job_id = _submit(client, headers, day.station.id, day.plan_date).json["id"]
        run_plan_job(app.extensions["db_sessionmaker"], uuid.UUID(job_id), FAST)
        plan_ids.append(
            client.get(f"/api/jobs/{job_id}", headers=headers).json["result"]["plan_id"]
        )
    for pid in plan_ids:
        assert client.post(f"/api/plans/{pid}/publish", headers=headers).status_code == 200
    first = client.get(f"/api/plans/{plan_ids[0]}", headers=headers).json
    assert first["status"] == "superseded" and first["version"] == 1
    assert client.post(f"/api/plans/{plan_ids[0]}/publish", headers=headers).status_code == 409


def test_collector_cannot_submit_or_read_plans(factory, client, rung):
    """Collectors get 403 on planning endpoints; other stations' supervisors get 404."""
    day = build_day(factory, per_side=1)
    other_sup = factory.user("supervisor", factory.station())
    resp = _submit(client, factory.token(day.west, client), day.station.id, day.plan_date)
    assert resp.status_code == 403
    resp = _submit(client, factory.token(other_sup, client), day.station.id, day.plan_date)
    assert resp.status_code == 404 and rung == []


def test_submission_rejects_unknown_fields_and_foreign_collectors(factory, client, rung):
    """Unknown body fields and collectors of another station answer 422."""
    day = build_day(factory, per_side=1)
    stranger = factory.user("collector", factory.station())
    headers = factory.token(day.supervisor, client)
    assert _submit(client, headers, day.station.id, day.plan_date, x=1).status_code == 422
    resp = _submit(client, headers, day.station.id, day.plan_date, collector_ids=[stranger.id])
    assert resp.status_code == 422 and "collector_ids" in resp.json["errors"]["json"]
    assert (
        _submit(client, headers, day.station.id, day.plan_date, time_limit=10_000).status_code
        == 422
    )


def test_submission_answers_202_and_stays_queued_when_redis_is_down(
    factory, client, app, monkeypatch
):
    """With the broker refusing, the job is stored queued and the answer is a prompt 202."""
    from celery import Celery

    dead = Celery("dead", broker="redis://127.0.0.1:1/0")
    dead.conf.broker_connection_retry = False
    dead.conf.broker_connection_max_retries = 0
    monkeypatch.setitem(app.extensions, "celery", dead)
    day = build_day(factory, per_side=1)
    headers = factory.token(day.supervisor, client)
    t0 = time.monotonic()
    resp = _submit(client, headers, day.station.id, day.plan_date)
    assert resp.status_code == 202 and time.monotonic() - t0 < 3  # no kombu retry loop
    assert client.get(resp.headers["Location"], headers=headers).json["status"] == "queued"


def _job(session, **kw) -> Job:
    job = Job(kind="plan", status=JobStatus.QUEUED, payload={}, attempts=0, max_attempts=3, **kw)
    session.add(job)
    session.flush()
    return job


def test_claim_refuses_a_second_claimant(session):
    """Once claimed with a live lease, the same job cannot be claimed again."""
    job = _job(session)
    first = jobs.claim(session, job.id, 60)
    assert first is not None and first.attempt == 1
    assert jobs.claim(session, job.id, 60) is None


def test_claim_takes_over_an_expired_lease_and_fences_the_old_worker(session):
    """An expired lease is claimable; the old attempt can then neither beat nor finish."""
    job = _job(session)
    old = jobs.claim(session, job.id, 60)
    session.execute(
        update(Job).where(Job.id == job.id).values(lease_until=text("now() - interval '1 second'"))
    )
    new = jobs.claim(session, job.id, 60)
    assert new is not None and new.attempt == 2
    assert not jobs.heartbeat(session, old, 60)
    assert not jobs.finish(session, old, {})
    assert jobs.finish(session, new, {"ok": True})


def test_reaper_requeues_stale_leases_and_fails_jobs_out_of_attempts(session):
    """Expired leases go back to queued; at max_attempts they fail instead."""
    stale, spent = (
        _job(session),
        _job(
            session,
        ),
    )
    for job in (stale, spent):
        jobs.claim(session, job.id, 60)
    session.execute(update(Job).where(Job.id == spent.id).values(attempts=3))
    session.execute(
        update(Job)
        .where(Job.id.in_([stale.id, spent.id]))
        .values(lease_until=text("now() - interval '1 second'"))
    )
    report = jobs.reap(session)
    assert stale.id in report.requeued and stale.id in report.to_enqueue
    assert spent.id in report.failed
    session.expire_all()
    assert session.get(Job, stale.id).status is JobStatus.QUEUED
    failed = session.get(Job, spent.id)
    assert failed.status is JobStatus.FAILED and "lease expired" in failed.error
    assert jobs.claim(session, spent.id, 60) is None


def test_reap_cli_reenqueues_queued_jobs(app, session, rung):
    """`flask jobs reap` re-rings the doorbell for jobs left queued (Redis was down)."""
    job = _job(session)
    session.execute(
        update(Job).where(Job.id == job.id).values(created_at=text("now() - interval '5 minutes'"))
    )
    result = app.test_cli_runner().invoke(args=["jobs", "reap"])
    assert result.exit_code == 0, result.output
    assert "enqueued" in result.output and job.id in rung


def test_a_second_run_of_a_finished_job_makes_no_second_plan(factory, client, app, session, rung):
    """Re-delivering a done job does nothing: one plan per job id."""
    day = build_day(factory, per_side=1)
    headers = factory.token(day.supervisor, client)
    job_id = uuid.UUID(_submit(client, headers, day.station.id, day.plan_date).json["id"])
    sessions = app.extensions["db_sessionmaker"]
    assert run_plan_job(sessions, job_id, FAST) == "done"
    assert run_plan_job(sessions, job_id, FAST) == "not_claimed"
    assert len(session.scalars(select(Plan).where(Plan.job_id == job_id)).all()) == 1


def test_failing_job_is_requeued_then_failed_after_max_attempts(factory, app, session):
    """A job whose solve raises goes back to queued until its attempts run out."""
    job = _job(
        session,
    )
    job.payload = {"station_id": 999_999_999, "plan_date": dt.date.today().isoformat()}
    session.flush()
    sessions = app.extensions["db_sessionmaker"]
    retried: list[uuid.UUID] = []
    outcomes = [run_plan_job(sessions, job.id, FAST, retry=retried.append) for _ in range(4)]
    assert outcomes == ["error", "error", "error", "not_claimed"]
    session.expire_all()
    final = session.get(Job, job.id)
    assert final.status is JobStatus.FAILED and final.attempts == 3 and "LookupError" in final.error
    assert retried == [job.id, job.id]


def test_plan_status_enum_is_the_models(factory):
    """Sanity: the plan states the API reports are the model's."""
    assert {s.value for s in PlanStatus} == {"draft", "published", "superseded"}
    assert tasks.RUN_JOB == "plans.run_job"


def test_heartbeat_thread_extends_the_lease_while_the_job_runs(engine):
    """The heartbeat, in its own sessions, moves heartbeat_at and lease_until forward."""
    from sqlalchemy import delete
    from sqlalchemy.orm import sessionmaker

    from core.planning.runner import Heartbeat, JobSettings

    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as s:  # committed: the thread uses other connections
        job = _job(s)
        claim = jobs.claim(s, job.id, 60)
        s.commit()
        s.expire_all()
        before = s.get(Job, job.id)
        beat0, lease0 = before.heartbeat_at, before.lease_until
    try:
        beat = Heartbeat(sessions, claim, JobSettings(lease_s=120, heartbeat_s=0.2))
        beat.start()
        time.sleep(0.8)
        beat.stop()
        assert not beat.is_alive() and not beat.lost.is_set()
        with sessions() as s:
            after = s.get(Job, job.id)
            assert after.heartbeat_at > beat0 and after.lease_until > lease0
    finally:
        with sessions() as s:
            s.execute(delete(Job).where(Job.id == job.id))
            s.commit()


def test_concurrent_claimants_on_committed_rows_get_the_job_once(engine):
    """Eight threads, each on its own connection, race to claim one job: one wins."""
    import threading

    from sqlalchemy import delete
    from sqlalchemy.orm import sessionmaker

    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as s:
        job = _job(s)
        s.commit()
    barrier = threading.Barrier(8)
    wins: list[int] = []

    def claimant() -> None:
        with sessions() as s:
            barrier.wait()
            got = jobs.claim(s, job.id, 60)
            s.commit()
            if got is not None:
                wins.append(got.attempt)

    try:
        threads = [threading.Thread(target=claimant) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert wins == [1]
    finally:
        with sessions() as s:
            s.execute(delete(Job).where(Job.id == job.id))
            s.commit()


def test_jobs_are_scoped(factory, client, rung):
    """Another station's supervisor and a collector get 404 for a supervisor's plan job."""
    day = build_day(factory, per_side=1)
    headers = factory.token(day.supervisor, client)
    url = _submit(client, headers, day.station.id, day.plan_date).headers["Location"]
    other = factory.user("supervisor", factory.station())
    for user in (other, day.west):
        assert client.get(url, headers=factory.token(user, client)).status_code == 404
    assert client.get(url, headers=headers).status_code == 200
