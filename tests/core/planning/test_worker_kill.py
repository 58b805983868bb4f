"""A real Celery worker against real Redis: kill it mid-plan, the reaper recovers, one plan."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from celery import Celery
from sqlalchemy import create_engine, func, make_url, select
from sqlalchemy.orm import Session, sessionmaker

from api.plans import tasks
from core.models import Job, JobStatus, Plan
from core.planning.submit import submit_plan_job
from tests.conftest import (
    TEST_DATABASE_URL,
    _drop_database,
    alembic_config,
    app_login_url,
    ensure_app_login,
)
from tests.factories import Factory
from tests.support.plans import build_day, local_today

ROOT = Path(__file__).resolve().parents[3]  # the repository
REDIS_DB = 11  # a scratch Redis database: other workers listen on db 0
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
QUEUE = f"plans-test-{os.getpid()}"


@pytest.fixture
def scratch_url():
    """A committed database of its own, migrated to head (the test transaction is invisible
    to another process), dropped afterwards."""
    from alembic import command

    from core.db import ensure_database

    url = make_url(TEST_DATABASE_URL)
    url = url.set(database=f"{url.database}_worker").render_as_string(hide_password=False)
    _drop_database(url)
    ensure_database(url)
    command.upgrade(alembic_config(url), "head")
    ensure_app_login(url)
    yield url
    _drop_database(url)


def _worker(url: str) -> subprocess.Popen[bytes]:
    env = os.environ | {
        # A worker starts like production: as the application role's login, never the owner.
        "DATABASE_URL": app_login_url(url),
        "REDIS_URL": REDIS_URL,
        "ARREARS_PLAN_LEASE_S": "4",
        "ARREARS_PLAN_HEARTBEAT_S": "1",
        "ARREARS_PLAN_SOLVER_WORKERS": "1",
        # A worker starts like production: it refuses to run without a real secret.
        "ARREARS_JWT_SECRET_KEY": secrets.token_urlsafe(48),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "api.celery_app",
            "worker",
            "--pool=solo",
            "-Q",
            QUEUE,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def expired(engine, job_id: uuid.UUID) -> bool:
    with Session(engine) as s:
        return bool(s.scalar(select(Job.lease_until < func.now()).where(Job.id == job_id)))


def _wait(pred, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_killed_worker_is_recovered_by_the_reaper_with_exactly_one_plan(app, scratch_url):
    """kill -9 the worker mid-job; the lease expires, the reaper re-queues, a second
    worker finishes, and the job has exactly one plan."""
    engine = create_engine(scratch_url)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as s:
        day = build_day(Factory(s, app), per_side=12)
        job = submit_plan_job(
            s,
            station_id=day.station.id,
            plan_date=day.plan_date,
            today=local_today(),
            collector_ids=None,
            time_limit=8,
            created_by=day.supervisor.id,
        )
        s.commit()
        job_id = job.id
    bell = Celery("bell", broker=REDIS_URL)
    ring = lambda j: bell.send_task(tasks.RUN_JOB, args=[str(j)], queue=QUEUE)  # noqa: E731
    rds = redis.Redis.from_url(REDIS_URL)
    first = second = None
    try:
        first = _worker(scratch_url)
        ring(job_id)

        def status() -> Job:
            with Session(engine) as s:
                return s.get(Job, job_id)

        _wait(lambda: status().status is JobStatus.RUNNING, 60, "a claim")
        os.killpg(first.pid, signal.SIGKILL)  # mid-job: gathering or solving
        first.wait(10)
        assert status().status is JobStatus.RUNNING  # nobody finished it

        second = _worker(scratch_url)
        _wait(lambda: expired(engine, job_id), 15, "lease expiry")
        report = tasks.reap_and_enqueue(sessions, ring, stale_queued_s=3600)
        assert report.requeued == [job_id]
        done = _wait(lambda: status().status is JobStatus.DONE and status(), 90, "the re-run")
        assert done.attempts == 2
        with Session(engine) as s:
            plans = s.scalars(select(Plan).where(Plan.job_id == job_id)).all()
        assert len(plans) == 1 and done.result["plan_id"] == plans[0].id
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        rds.delete(QUEUE, "unacked", "unacked_index")
        engine.dispose()
