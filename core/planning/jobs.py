"""Job state in PostgreSQL: claim with a lease, heartbeat, finish, and reap expired leases.

Every transition is one conditional ``UPDATE ... RETURNING``, so the database decides
who owns a job: two workers never run it at once, and a worker whose lease was taken
over can no longer finish it (its attempt number no longer matches). The caller commits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, case, cast, func, literal, or_, select, update
from sqlalchemy.orm import Session

from core.models import Job, JobStatus

PLAN_KIND = "plan"
#: Every kind of job :func:`core.planning.runner.run_plan_job` runs (a day's plan or
#: re-optimisation, a collector's re-plan).
SOLVE_KINDS = (PLAN_KIND, "replan")


@dataclass(frozen=True)
class Claim:
    """A job this worker now owns, for attempt number ``attempt``."""

    job_id: uuid.UUID
    attempt: int
    payload: dict[str, object]
    station_id: int | None
    created_by: int | None


def _lease(seconds: float) -> object:
    return func.now() + dt.timedelta(seconds=seconds)


def claim(session: Session, job_id: uuid.UUID, lease_s: float) -> Claim | None:
    """Take the job if it is queued, or running with an expired lease, and attempts remain."""
    row = session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            or_(
                Job.status == JobStatus.QUEUED,
                and_(Job.status == JobStatus.RUNNING, Job.lease_until < func.now()),
            ),
            Job.attempts < Job.max_attempts,
        )
        .values(
            status=JobStatus.RUNNING,
            attempts=Job.attempts + 1,
            lease_until=_lease(lease_s),
            heartbeat_at=func.now(),
            started_at=func.coalesce(Job.started_at, func.now()),
            error=None,
        )
        .returning(Job.id, Job.attempts, Job.payload, Job.station_id, Job.created_by)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if row is None:
        return None
    return Claim(row[0], row[1], dict(row[2] or {}), row[3], row[4])


def active_count(session: Session) -> int:
    """Plan jobs queued or running (re-plans and re-optimisations included): the queue
    the cores are shared by (:func:`core.planning.cores.search_processes`)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Job)
            .where(
                Job.kind.in_(SOLVE_KINDS),
                Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
            )
        )
        or 0
    )


def _mine(c: Claim) -> tuple[ColumnElement[bool], ...]:
    return (Job.id == c.job_id, Job.attempts == c.attempt, Job.status == JobStatus.RUNNING)


def heartbeat(session: Session, c: Claim, lease_s: float) -> bool:
    """Extend the lease; False when the job is no longer this attempt's (stop working)."""
    row = session.execute(
        update(Job)
        .where(*_mine(c))
        .values(heartbeat_at=func.now(), lease_until=_lease(lease_s))
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    return row is not None


def finish(session: Session, c: Claim, result: dict[str, object]) -> bool:
    """Mark the job done (in the transaction that stores its result); False if not ours."""
    row = session.execute(
        update(Job)
        .where(*_mine(c))
        .values(status=JobStatus.DONE, result=result, finished_at=func.now(), lease_until=None)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    return row is not None


def finish_result(session: Session, job_id: uuid.UUID, result: dict[str, object]) -> None:
    """Record a finished job's result (same transaction as :func:`finish`)."""
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(result=result)
        .execution_options(synchronize_session=False)
    )


def give_up(session: Session, c: Claim, error: str, *, final: bool = False) -> JobStatus | None:
    """After an error: back to queued if attempts remain (and not ``final``), else failed.

    Returns None if the job is no longer this attempt's.
    """
    row = session.execute(
        update(Job)
        .where(*_mine(c))
        .values(
            status=JobStatus.FAILED if final else _after_error_status(),
            error=error[:2000],
            lease_until=None,
            finished_at=case((Job.attempts < Job.max_attempts, None), else_=func.now()),
        )
        .returning(Job.status)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    return None if row is None else JobStatus(row[0])


def _after_error_status() -> object:
    status_type = Job.__table__.c.status.type
    return cast(
        case(
            (Job.attempts < Job.max_attempts, literal(JobStatus.QUEUED.value)),
            else_=literal(JobStatus.FAILED.value),
        ),
        status_type,
    )


@dataclass
class ReapReport:
    """What a reaper pass did."""

    requeued: list[uuid.UUID] = field(default_factory=list)
    failed: list[uuid.UUID] = field(default_factory=list)
    #: Queued jobs to ring the doorbell for again (e.g. Redis was down at submission).
    to_enqueue: list[uuid.UUID] = field(default_factory=list)


def reap(session: Session, *, stale_queued_s: float = 60.0) -> ReapReport:
    """Fail expired jobs out of attempts, re-queue the other expired ones.

    Also lists every job queued for longer than ``stale_queued_s`` (including the
    re-queued ones), for the caller to enqueue after committing. A duplicate delivery
    is harmless: the claim lets only one worker run the job.
    """
    expired = and_(Job.status == JobStatus.RUNNING, Job.lease_until < func.now())
    report = ReapReport()
    report.failed = list(
        session.scalars(
            update(Job)
            .where(expired, Job.attempts >= Job.max_attempts)
            .values(
                status=JobStatus.FAILED,
                error="The worker stopped (lease expired) and no attempts are left.",
                finished_at=func.now(),
                lease_until=None,
            )
            .returning(Job.id)
            .execution_options(synchronize_session=False)
        )
    )
    report.requeued = list(
        session.scalars(
            update(Job)
            .where(expired, Job.attempts < Job.max_attempts)
            .values(status=JobStatus.QUEUED, lease_until=None)
            .returning(Job.id)
            .execution_options(synchronize_session=False)
        )
    )
    stale = session.scalars(
        select(Job.id)
        .where(
            Job.status == JobStatus.QUEUED,
            Job.created_at < func.now() - dt.timedelta(seconds=stale_queued_s),
        )
        .order_by(Job.created_at)
    )
    report.to_enqueue = sorted(set(report.requeued) | set(stale), key=str)
    return report
