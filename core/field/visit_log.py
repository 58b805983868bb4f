"""The visit log: visits as they were made, filtered, with their stop and their GPS check.

Each visit comes with the stop it fulfilled in the day's published plan (the stop of the
visiting collector's route for that account on the visit's station-local day, if any),
its GPS fix and the fix's distance in metres from the account's location; a fix farther
than the station's ``visit_flag_distance_m`` is flagged. Collectors see their own
visits, supervisors their station's, admins the county (``core.scope``, applied in the
WHERE clause before anything is read).

Pages run newest first by ``(device_time, id)``; the cursor is the last row's pair.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, Select, and_, cast, func, or_, select, true
from sqlalchemy.orm import Session

from core.errors import Invalid
from core.models import Account, Outcome, Plan, PlanStatus, Route, Station, Stop, User, Visit
from core.scope import Scope, restrict

#: The longest date range one request may ask for.
MAX_RANGE_DAYS = 366
#: No zone is further east (UTC+14) or west (UTC-12): bounds on device_time for the index.
_EAST, _WEST = dt.timezone(dt.timedelta(hours=14)), dt.timezone(dt.timedelta(hours=-12))


@dataclass(frozen=True)
class VisitFilter:
    date_from: dt.date
    date_to: dt.date
    station_id: int | None = None
    collector_id: int | None = None
    territory_id: int | None = None
    village: str | None = None
    account_id: int | None = None
    outcomes: tuple[Outcome, ...] = ()
    plan_id: int | None = None
    route_id: int | None = None
    flagged: bool | None = None


@dataclass(frozen=True)
class VisitRow:
    id: uuid.UUID
    account_id: int
    account_number: str
    account_name: str
    village: str
    territory_id: int | None
    station_id: int
    collector_id: int
    collector_name: str
    outcome: str
    promise_date: dt.date | None
    device_time: dt.datetime
    server_time: dt.datetime
    local_date: dt.date
    notes: str | None
    fix_lon: float | None
    fix_lat: float | None
    fix_accuracy_m: float | None
    #: Metres between the fix and the account's location (None without a fix).
    distance_m: float | None
    flag_distance_m: int
    flagged: bool
    stop_id: int | None
    route_id: int | None
    plan_id: int | None
    stop_seq: int | None
    stop_eta: dt.datetime | None


def check_range(filters: VisitFilter) -> None:
    """:class:`Invalid` for a reversed range or one longer than :data:`MAX_RANGE_DAYS`."""
    if filters.date_to < filters.date_from:
        raise Invalid({"date_to": ["Before date_from."]})
    if (filters.date_to - filters.date_from).days >= MAX_RANGE_DAYS:
        raise Invalid({"date_to": [f"At most {MAX_RANGE_DAYS} days after date_from."]})


def visit_log_query(scope: Scope, filters: VisitFilter) -> Select[Any]:
    """The scoped, filtered visit log as one SELECT (columns as :class:`VisitRow`)."""
    local_date = cast(func.timezone(Station.timezone, Visit.device_time), Date)
    fix_geog = func.geography(Visit.fix)
    distance = func.ST_Distance(fix_geog, func.geography(Account.location))
    stop = (
        select(Stop.id, Stop.route_id, Route.plan_id, Stop.seq, Stop.eta)
        .join(Route, Route.id == Stop.route_id)
        .join(Plan, Plan.id == Route.plan_id)
        .where(
            Stop.account_id == Visit.account_id,
            Route.collector_id == Visit.collector_id,
            Plan.station_id == Account.station_id,
            Plan.plan_date == local_date,
            Plan.status == PlanStatus.PUBLISHED,
        )
        .order_by(Stop.id)
        .limit(1)
        .lateral("visit_stop")
    )
    flagged = func.coalesce(distance > Station.visit_flag_distance_m, False)
    stmt: Any = (
        select(
            Visit.id,
            Visit.account_id,
            Account.number.label("account_number"),
            Account.name.label("account_name"),
            Account.village,
            Account.territory_id,
            Account.station_id,
            Visit.collector_id,
            User.display_name.label("collector_name"),
            Visit.outcome,
            Visit.promise_date,
            Visit.device_time,
            Visit.server_time,
            local_date.label("local_date"),
            Visit.notes,
            func.ST_X(Visit.fix).label("fix_lon"),
            func.ST_Y(Visit.fix).label("fix_lat"),
            Visit.fix_accuracy_m,
            distance.label("distance_m"),
            Station.visit_flag_distance_m.label("flag_distance_m"),
            flagged.label("flagged"),
            stop.c.id.label("stop_id"),
            stop.c.route_id,
            stop.c.plan_id,
            stop.c.seq.label("stop_seq"),
            stop.c.eta.label("stop_eta"),
        )
        .join(Account, Account.id == Visit.account_id)
        .join(Station, Station.id == Account.station_id)
        .join(User, User.id == Visit.collector_id)
        .outerjoin(stop, true())
        .where(
            # Index-friendly bounds first, then the station-local days exactly.
            Visit.device_time >= dt.datetime.combine(filters.date_from, dt.time(), _EAST),
            Visit.device_time
            < dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time(), _WEST),
            local_date.between(filters.date_from, filters.date_to),
        )
    )
    stmt = restrict(stmt, Visit, scope)
    f = filters
    for column, value in (
        (Account.station_id, f.station_id),
        (Visit.collector_id, f.collector_id),
        (Account.territory_id, f.territory_id),
        (Account.village, f.village),
        (Visit.account_id, f.account_id),
        (stop.c.plan_id, f.plan_id),
        (stop.c.route_id, f.route_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if f.outcomes:
        stmt = stmt.where(Visit.outcome.in_(f.outcomes))
    if f.flagged is not None:
        stmt = stmt.where(flagged if f.flagged else ~flagged)
    out: Select[Any] = stmt
    return out


def visit_log(
    session: Session,
    scope: Scope,
    filters: VisitFilter,
    *,
    limit: int = 100,
    after: tuple[dt.datetime, uuid.UUID] | None = None,
) -> tuple[list[VisitRow], tuple[dt.datetime, uuid.UUID] | None]:
    """One page of the log, newest first, and the cursor of the next page (None: last)."""
    check_range(filters)
    stmt = visit_log_query(scope, filters)
    if after is not None:
        stmt = stmt.where(
            or_(
                Visit.device_time < after[0],
                and_(Visit.device_time == after[0], Visit.id < after[1]),
            )
        )
    rows = session.execute(
        stmt.order_by(Visit.device_time.desc(), Visit.id.desc()).limit(limit + 1)
    ).all()
    page = [_row(r) for r in rows[:limit]]
    cursor = (page[-1].device_time, page[-1].id) if len(rows) > limit else None
    return page, cursor


def _row(r: Any) -> VisitRow:
    data = dict(r._mapping)
    data["outcome"] = Outcome(data["outcome"]).value
    data["flagged"] = bool(data["flagged"])
    return VisitRow(**data)


def all_visits(session: Session, scope: Scope, filters: VisitFilter) -> Sequence[VisitRow]:
    """Every row of the log (newest first), for exports; the range is checked."""
    check_range(filters)
    stmt = visit_log_query(scope, filters).order_by(Visit.device_time.desc(), Visit.id.desc())
    return [_row(r) for r in session.execute(stmt)]
