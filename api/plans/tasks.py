"""Celery tasks for plan jobs (they take ids) and the doorbell that enqueues them.

Redis is only the doorbell: if it is down when a job is submitted, the job stays
``queued`` in PostgreSQL and the reaper rings again later.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from celery import shared_task
from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from core.planning import JobSettings, jobs, run_plan_job

log = logging.getLogger(__name__)
RUN_JOB = "plans.run_job"
REAP = "plans.reap"
#: How often celery beat runs the reaper, seconds.
REAP_EVERY_S = 60.0


def settings_from_config(config: Mapping[str, Any]) -> JobSettings:
    """Job settings from ``PLAN_*`` config keys (``ARREARS_PLAN_*`` env vars)."""
    d = JobSettings()
    return JobSettings(
        lease_s=float(config.get("PLAN_LEASE_S", d.lease_s)),
        heartbeat_s=float(config.get("PLAN_HEARTBEAT_S", d.heartbeat_s)),
        max_time_limit=float(config.get("PLAN_MAX_TIME_LIMIT", d.max_time_limit)),
        workers=int(config.get("PLAN_SOLVER_WORKERS", d.workers)),
        cores=int(config.get("PLAN_CORES", d.cores)),
        jobs_at_once=int(config.get("PLAN_JOBS_AT_ONCE", d.jobs_at_once)),
        per_collector=int(config.get("PLAN_PER_COLLECTOR", d.per_collector)),
        travel=str(config.get("TRAVEL_MATRIX", d.travel)),
        same_day_lead_s=int(config.get("PLAN_SAME_DAY_LEAD_S", d.same_day_lead_s)),
    )


def enqueue(job_id: uuid.UUID, countdown: float | None = None) -> bool:
    """Ring the doorbell for ``job_id``; False (logged, never raised) if the broker is down."""
    custom: Callable[[uuid.UUID], bool] | None = current_app.extensions.get("plans.enqueue")
    if custom is not None:
        return custom(job_id)
    celery = current_app.extensions["celery"]
    try:
        with celery.connection_for_write() as conn:
            # Fail in milliseconds when Redis refuses (kombu would otherwise retry ~6 s).
            conn.ensure_connection(max_retries=0, timeout=2)
            celery.send_task(
                RUN_JOB, args=[str(job_id)], countdown=countdown, connection=conn, retry=False
            )
    except Exception:
        log.warning("could not enqueue job %s; the reaper will retry", job_id, exc_info=True)
        return False
    return True


def reap_and_enqueue(
    sessions: sessionmaker[Session],
    ring: Callable[[uuid.UUID], object],
    stale_queued_s: float = 60.0,
) -> jobs.ReapReport:
    """One reaper pass: commit the state changes, then enqueue what needs running."""
    with sessions() as s:
        report = jobs.reap(s, stale_queued_s=stale_queued_s)
        s.commit()
    for job_id in report.to_enqueue:
        ring(job_id)
    return report


@shared_task(name=RUN_JOB)
def run_job(job_id: str) -> str:
    """Run plan job ``job_id`` if this worker can claim it."""
    return run_plan_job(
        current_app.extensions["db_sessionmaker"],
        uuid.UUID(job_id),
        settings_from_config(current_app.config),
        retry=lambda j: enqueue(j, countdown=5),
    )


@shared_task(name=REAP)
def reap_jobs() -> dict[str, int]:
    """Re-queue jobs whose lease expired, fail those out of attempts, re-ring queued ones."""
    report = reap_and_enqueue(current_app.extensions["db_sessionmaker"], enqueue)
    return {
        "requeued": len(report.requeued),
        "failed": len(report.failed),
        "enqueued": len(report.to_enqueue),
    }


def init_beat(celery: Any) -> None:
    """Schedule the reaper on celery beat (``celery -A api.celery_app beat``), and bound
    the broker's connect time so a submission never hangs on an unreachable Redis."""
    schedule = dict(celery.conf.beat_schedule or {})
    schedule.setdefault("plans-reap", {"task": REAP, "schedule": REAP_EVERY_S})
    celery.conf.beat_schedule = schedule
    options = dict(celery.conf.broker_transport_options or {})
    options.setdefault("socket_connect_timeout", 2)
    celery.conf.broker_transport_options = options
