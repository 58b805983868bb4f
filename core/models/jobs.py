"""Background jobs: their state lives here; Redis/Celery is only the doorbell."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, created_at_column, pg_enum


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    """A unit of background work with a lease, so a dead worker's job is picked up again."""

    __tablename__ = "job"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[JobStatus] = mapped_column(pg_enum(JobStatus, "job_status"), index=True)
    payload: Mapped[dict[str, object]] = mapped_column(JSONB, default=dict)
    result: Mapped[dict[str, object] | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    lease_until: Mapped[dt.datetime | None]
    heartbeat_at: Mapped[dt.datetime | None]
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = created_at_column()
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    #: What only one active (queued or running) job may hold at a time, e.g. a station's
    #: day for plan jobs or a collector for re-plans (core.planning.exclusive).
    active_key: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (
        CheckConstraint("attempts >= 0 AND attempts <= max_attempts", name="attempt_cap"),
        Index(
            "uq_job_active_key",
            "active_key",
            unique=True,
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )
