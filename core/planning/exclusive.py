"""One active job per key: a second plan of a station's day, or a second re-plan of a
collector's, while the first is queued or running, is refused with the running job.

A partial unique index on ``job.active_key`` (queued and running jobs only) is the
arbiter, so two concurrent submissions cannot both get in; a finished or failed job
frees its key.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Conflict
from core.models import Job, JobStatus

__all__ = ["JobRunning", "add_exclusive", "plan_key", "replan_key"]

ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobRunning(Conflict):
    """Another job holds the key; ``job_id`` is the one to follow instead."""

    def __init__(self, detail: str, job_id: uuid.UUID | None) -> None:
        super().__init__(detail, extra={"job_id": str(job_id)} if job_id else None)
        self.job_id = job_id


def plan_key(station_id: int, day: dt.date) -> str:
    return f"plan:{station_id}:{day.isoformat()}"


def replan_key(collector_id: int) -> str:
    return f"replan:{collector_id}"


def add_exclusive(session: Session, job: Job, key: str, what: str) -> Job:
    """Insert ``job`` holding ``key``; :class:`JobRunning` when an active job holds it."""
    job.active_key = key
    try:
        with session.begin_nested():
            session.add(job)
            session.flush()
    except IntegrityError:
        running = session.scalar(
            select(Job.id).where(Job.active_key == key, Job.status.in_(ACTIVE)).limit(1)
        )
        raise JobRunning(
            f"{what} is already queued or running: follow that job.", running
        ) from None
    return job
