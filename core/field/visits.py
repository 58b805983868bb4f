"""Visits recorded at the door, stored exactly once under the phone's UUID."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from geoalchemy2.elements import WKTElement
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.errors import Invalid, NotFound
from core.insert_once import insert_once
from core.models import Account, AccountResponsibility, Outcome, Station, Visit
from core.money.canonical import body_hash
from geo.coords import CoordSystem, to_wgs84


class VisitStatus(enum.StrEnum):
    CREATED = "created"
    REPLAYED = "replayed"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Fix:
    lon: float
    lat: float
    accuracy_m: float | None
    system: CoordSystem


@dataclass(frozen=True)
class VisitInput:
    id: uuid.UUID
    account_id: int
    outcome: Outcome
    device_time: dt.datetime
    promise_date: dt.date | None = None
    fix: Fix | None = None
    notes: str | None = None
    device_id: str | None = None


@dataclass(frozen=True)
class VisitResult:
    id: uuid.UUID
    status: VisitStatus
    reason: str | None = None


def _responsible_on(session: Session, account: Account, day: dt.date) -> int | None:
    """Who was responsible for ``account`` on the station-local ``day``."""
    return session.scalar(
        select(AccountResponsibility.collector_id).where(
            AccountResponsibility.account_id == account.id,
            AccountResponsibility.valid_from <= day,
            or_(AccountResponsibility.valid_to.is_(None), AccountResponsibility.valid_to > day),
        )
    )


def record_visit(session: Session, collector_id: int, inp: VisitInput) -> VisitResult:
    """Store one visit; a replay answers ``replayed``, a different body ``rejected``."""
    body = {
        "id": inp.id,
        "account_id": inp.account_id,
        "outcome": inp.outcome,
        "device_time": inp.device_time,
        "promise_date": inp.promise_date,
        "fix": None
        if inp.fix is None
        else [inp.fix.lon, inp.fix.lat, inp.fix.accuracy_m, inp.fix.system],
        "notes": inp.notes,
        "collector": collector_id,
    }
    digest = body_hash(body)
    existing = session.get(Visit, inp.id)
    if existing is not None:
        return _replay(existing, collector_id, digest)
    if (inp.outcome is Outcome.PROMISE) != (inp.promise_date is not None):
        return VisitResult(
            inp.id, VisitStatus.REJECTED, "a promise needs a promise_date, and only a promise"
        )
    account = session.get(Account, inp.account_id)
    station = session.get(Station, account.station_id) if account else None
    if account is None or station is None:
        return VisitResult(inp.id, VisitStatus.REJECTED, "not_in_scope")
    day = inp.device_time.astimezone(ZoneInfo(station.timezone)).date()
    # Authorisation by the assignment on the day of the visit, not today's.
    if _responsible_on(session, account, day) != collector_id:
        return VisitResult(inp.id, VisitStatus.REJECTED, "not_in_scope")
    fix = None
    if inp.fix is not None:
        lon, lat = to_wgs84(inp.fix.lon, inp.fix.lat, inp.fix.system)
        fix = WKTElement(f"POINT({lon} {lat})", srid=4326)
    row = {
        "id": inp.id,
        "account_id": inp.account_id,
        "collector_id": collector_id,
        "outcome": inp.outcome,
        "promise_date": inp.promise_date,
        "fix": fix,
        "fix_accuracy_m": inp.fix.accuracy_m if inp.fix else None,
        "device_time": inp.device_time,
        "notes": inp.notes,
        "device_id": inp.device_id,
        "body_hash": digest,
    }
    if insert_once(session, Visit, row, key=["id"], stamp=False):
        return VisitResult(inp.id, VisitStatus.CREATED)
    # Lost a race with a concurrent upload of the same id: a separate SELECT decides.
    stored = session.get(Visit, inp.id, populate_existing=True)
    assert stored is not None
    return _replay(stored, collector_id, digest)


def record_one_visit(session: Session, collector_id: int, inp: VisitInput) -> VisitResult:
    """:func:`record_visit` for a single upload: a refusal raises instead of being listed
    (:class:`NotFound` for an account not the collector's that day, else :class:`Invalid`)."""
    result = record_visit(session, collector_id, inp)
    if result.status is VisitStatus.REJECTED:
        if result.reason == "not_in_scope":
            raise NotFound("account")
        reason = str(result.reason)
        raise Invalid({"id": [reason]}, f"Visit refused: {reason}.")
    return result


def _replay(stored: Visit, collector_id: int, digest: str) -> VisitResult:
    if stored.collector_id == collector_id and stored.body_hash == digest:
        return VisitResult(stored.id, VisitStatus.REPLAYED)
    # Same answer for "someone else's id" and "your id, other body": nothing leaks.
    return VisitResult(stored.id, VisitStatus.REJECTED, "id already used with a different body")
