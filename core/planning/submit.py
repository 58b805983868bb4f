"""Submitting a plan job: validate against the station, then a queued row in ``job``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Invalid
from core.models import Job, JobStatus, Role, Station, User, user_station
from core.planning.exclusive import add_exclusive, plan_key
from core.planning.jobs import PLAN_KIND
from core.stations.open import require_open

#: How far ahead (days) a day may be planned, and how far back.
MAX_DAYS_AHEAD = 31
MAX_DAYS_BACK = 1
MAX_ATTEMPTS = 3


class InvalidPlanRequest(Invalid):
    """The request does not fit the station; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__({field: [message]}, message)
        self.field = field


def check_collectors(session: Session, station_id: int, ids: Sequence[int]) -> None:
    """Every id must be an active collector of the station."""
    found = set(
        session.scalars(
            select(User.id)
            .join(user_station, user_station.c.user_id == User.id)
            .where(
                user_station.c.station_id == station_id,
                User.id.in_(ids),
                User.role == Role.COLLECTOR,
                User.active.is_(True),
            )
        )
    )
    missing = sorted(set(ids) - found)
    if missing:
        raise InvalidPlanRequest(
            "collector_ids", f"Not active collectors of this station: {missing}."
        )


def submit_plan_job(
    session: Session,
    *,
    station_id: int,
    plan_date: dt.date,
    today: dt.date,
    collector_ids: Sequence[int] | None,
    time_limit: float,
    created_by: int,
    pinned: Mapping[int, Sequence[int]] | None = None,
    extra: Mapping[str, object] | None = None,
) -> Job:
    """Add a queued plan job (the caller commits, then rings the doorbell); one at a
    time per station and day (:class:`core.planning.exclusive.JobRunning` otherwise).

    ``pinned`` (collector id -> account ids in order) travels in the payload as
    :func:`core.planning.runner.request_from_payload` reads it; ``extra`` adds keys a
    special run needs (e.g. ``reoptimise_from``) without replacing the request's own.
    """
    if not -MAX_DAYS_BACK <= (plan_date - today).days <= MAX_DAYS_AHEAD:
        raise InvalidPlanRequest(
            "date", f"Plan days from {MAX_DAYS_BACK} day back to {MAX_DAYS_AHEAD} days ahead."
        )
    station = session.get(Station, station_id)
    if station is not None:
        require_open(station)
    if collector_ids:
        check_collectors(session, station_id, collector_ids)
    payload: dict[str, object] = {
        **(extra or {}),
        "station_id": station_id,
        "plan_date": plan_date.isoformat(),
        "collector_ids": sorted(set(collector_ids)) if collector_ids else None,
        "time_limit": time_limit,
    }
    if pinned:
        payload["pinned"] = {str(c): [int(a) for a in seq] for c, seq in pinned.items()}
    job = Job(
        kind=PLAN_KIND,
        status=JobStatus.QUEUED,
        payload=payload,
        attempts=0,
        max_attempts=MAX_ATTEMPTS,
        station_id=station_id,
        created_by=created_by,
    )
    return add_exclusive(
        session, job, plan_key(station_id, plan_date), "A plan of this station's day"
    )
