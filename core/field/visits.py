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


#: Why a visit is refused (``VisitResult.reason``): stable codes, as payments have.
INVALID = "invalid"  # a field is wrong: ``errors`` says which
NOT_IN_SCOPE = "not_in_scope"  # no such account, or not the collector's on the visit's day
ID_CONFLICT = "id_conflict"  # the id is stored with another body (or another collector's)

#: A phone's clock may run this far ahead of the server's (as for payments).
MAX_CLOCK_SKEW = dt.timedelta(minutes=10)
#: No phone visited anyone before this: a reset clock (1970) or a typo (year 1).
EARLIEST_VISIT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
#: A promise to pay is for a day within this many days of the visit.
MAX_PROMISE_DAYS = 92


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
    #: Field errors of an ``invalid`` visit, ``{field: [message]}``.
    errors: dict[str, list[str]] | None = None


def _clock_errors(inp: VisitInput, now: dt.datetime) -> dict[str, list[str]]:
    """A ``device_time`` no visit can have (checked first: year 1 cannot even be hashed)."""
    if inp.device_time < EARLIEST_VISIT:
        return {"device_time": ["Before 2000: check the phone's clock."]}
    if inp.device_time > now + MAX_CLOCK_SKEW:
        return {"device_time": ["In the future: check the phone's clock."]}
    return {}


def _promise_errors(inp: VisitInput, tz: ZoneInfo) -> dict[str, list[str]]:
    """A promise without its date, or dated before the visit or too far after it."""
    if (inp.outcome is Outcome.PROMISE) != (inp.promise_date is not None):
        return {"promise_date": ["A promise needs a promise_date, and only a promise has one."]}
    if inp.promise_date is not None:
        day = inp.device_time.astimezone(tz).date()
        if inp.promise_date < day:
            return {"promise_date": ["Before the day of the visit."]}
        if inp.promise_date > day + dt.timedelta(days=MAX_PROMISE_DAYS):
            return {"promise_date": [f"More than {MAX_PROMISE_DAYS} days after the visit."]}
    return {}


def _responsible_on(session: Session, account: Account, day: dt.date) -> int | None:
    """Who was responsible for ``account`` on the station-local ``day``."""
    return session.scalar(
        select(AccountResponsibility.collector_id).where(
            AccountResponsibility.account_id == account.id,
            AccountResponsibility.valid_from <= day,
            or_(AccountResponsibility.valid_to.is_(None), AccountResponsibility.valid_to > day),
        )
    )


def record_visit(
    session: Session, collector_id: int, inp: VisitInput, *, now: dt.datetime | None = None
) -> VisitResult:
    """Store one visit; a replay answers ``replayed``, a bad one ``rejected`` with its code."""
    clock = _clock_errors(inp, now or dt.datetime.now(dt.UTC))
    if clock:
        return VisitResult(inp.id, VisitStatus.REJECTED, INVALID, clock)
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
    account = session.get(Account, inp.account_id)
    station = session.get(Station, account.station_id) if account else None
    tz = ZoneInfo(station.timezone if station is not None else "Asia/Shanghai")
    # The fields first, so a wrong promise is named as such and never looks like scope.
    errors = _promise_errors(inp, tz)
    if errors:
        return VisitResult(inp.id, VisitStatus.REJECTED, INVALID, errors)
    if account is None or station is None:
        return VisitResult(inp.id, VisitStatus.REJECTED, NOT_IN_SCOPE)
    day = inp.device_time.astimezone(tz).date()
    # Authorisation by the assignment on the day of the visit, not today's.
    if _responsible_on(session, account, day) != collector_id:
        return VisitResult(inp.id, VisitStatus.REJECTED, NOT_IN_SCOPE)
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
        if result.reason == NOT_IN_SCOPE:
            raise NotFound("account")
        if result.errors:
            raise Invalid({k: v for k, v in result.errors.items()})
        raise Invalid({"id": ["This id is already used with a different body."]})
    return result


def _replay(stored: Visit, collector_id: int, digest: str) -> VisitResult:
    if stored.collector_id == collector_id and stored.body_hash == digest:
        return VisitResult(stored.id, VisitStatus.REPLAYED)
    # Same answer for "someone else's id" and "your id, other body": nothing leaks.
    return VisitResult(stored.id, VisitStatus.REJECTED, ID_CONFLICT)
