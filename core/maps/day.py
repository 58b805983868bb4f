"""A day's layers, scoped: routes (with progress), stops (with outcome), last positions.

The plan of a day is its published version, or for staff a version named by id (plan
review). A route's line is the one stored with the plan (``route.path``); a stop's
outcome is the last visit to its account on the plan's local day, by anyone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Float,
    Select,
    String,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by, distinct_on
from sqlalchemy.orm import aliased

from core.models import Account, Plan, PlanStatus, Route, Station, Stop, User, Visit
from core.scope import Scope, restrict
from geo.tiles import Tile


def _plan_ids(scope: Scope, day: dt.date, plan_id: int | None) -> Select[Any]:
    """The plans shown: ``plan_id`` if given (in scope), else the day's published ones."""
    stmt = select(Plan.id)
    if plan_id is not None:
        stmt = stmt.where(Plan.id == plan_id)
    else:
        stmt = stmt.where(Plan.plan_date == day, Plan.status == PlanStatus.PUBLISHED)
    return restrict(stmt, Plan, scope)


def _local_day(instant: Any, station_id: Any) -> ColumnElement[Any]:
    tz = (
        select(Station.timezone)
        .where(Station.id == station_id)
        .correlate_except(Station)
        .scalar_subquery()
    )
    return cast(func.timezone(tz, instant), Date)


def _outcome(stop_account: Any, plan: Any) -> Any:
    """The last outcome at the stop's account on the plan's local day (or null)."""
    return (
        select(cast(Visit.outcome, String).label("o"))
        .where(
            Visit.account_id == stop_account,
            _local_day(Visit.device_time, plan.station_id) == plan.plan_date,
        )
        .order_by(Visit.device_time.desc())
        .limit(1)
        .correlate_except(Visit)
        .scalar_subquery()
    )


def _geometry_kind() -> Any:
    """The stored line's kind (``core.planning.road_lines``); older plans: straight."""
    kind = Plan.summary.op("->")("route_geometry").op("->>")(cast(Route.collector_id, String))
    return func.coalesce(kind, literal("straight"))


def routes(scope: Scope, day: dt.date, plan_id: int | None, tile: Tile) -> Select[Any]:
    """Routes: collector (id, name), stops, stops visited, progress (0-1), geometry
    (``road`` or ``straight``, from the plan's summary when it says, else straight)."""
    collector = aliased(User)
    account = aliased(Account)
    stop = aliased(Stop)
    counts = (
        select(
            func.count().label("stops"),
            func.count(_outcome(stop.account_id, Plan)).label("visited"),
            func.ST_MakeLine(aggregate_order_by(account.location, stop.seq)).label("line"),
        )
        .select_from(stop)
        .join(account, account.id == stop.account_id)
        .where(stop.route_id == Route.id)
        .lateral("counts")
    )
    geom = func.coalesce(Route.path, counts.c.line)
    stmt = (
        select(
            Route.id.label("id"),
            Route.plan_id.label("plan_id"),
            Route.collector_id.label("collector_id"),
            collector.display_name.label("collector"),
            counts.c.stops.label("stops"),
            counts.c.visited.label("visited"),
            (cast(counts.c.visited, Float) / func.nullif(counts.c.stops, 0)).label("progress"),
            _geometry_kind().label("geometry"),
            geom.label("geom"),
        )
        .join(Plan, Plan.id == Route.plan_id)
        .join(collector, collector.id == Route.collector_id)
        .join(counts, literal(True))
        .where(Route.plan_id.in_(_plan_ids(scope, day, plan_id)))
        .where(geom.op("&&")(tile.bbox_wgs84()))
    )
    return restrict(stmt, Route, scope)


def stops(scope: Scope, day: dt.date, plan_id: int | None, tile: Tile) -> Select[Any]:
    """Stops: route, collector, order, ETA (UTC, ISO), expected fen, outcome (or null)."""
    stmt = (
        select(
            Stop.id.label("id"),
            Stop.route_id.label("route_id"),
            Route.collector_id.label("collector_id"),
            Stop.seq.label("seq"),
            Stop.account_id.label("account_id"),
            func.to_char(
                func.timezone("UTC", Stop.eta), literal('YYYY-MM-DD"T"HH24:MI:SS"Z"')
            ).label("eta"),
            cast(func.round(Stop.expected_value * 100), BigInteger).label("expected_fen"),
            _outcome(Stop.account_id, Plan).label("outcome"),
            Account.location.label("geom"),
        )
        .join(Route, Route.id == Stop.route_id)
        .join(Plan, Plan.id == Route.plan_id)
        .join(Account, Account.id == Stop.account_id)
        .where(Route.plan_id.in_(_plan_ids(scope, day, plan_id)))
        .where(Account.location.op("&&")(tile.bbox_wgs84()))
    )
    return restrict(stmt, Route, scope)


def positions(scope: Scope, day: dt.date, tile: Tile) -> Select[Any]:
    """Each collector's last GNSS fix of the day (from their visits): collector, time
    (UTC, ISO), outcome of that visit."""
    collector = aliased(User)
    account = aliased(Account)
    last = (
        select(
            Visit.collector_id.label("collector_id"),
            Visit.device_time.label("at"),
            Visit.outcome.label("outcome"),
            Visit.fix.label("geom"),
        )
        .join(account, account.id == Visit.account_id)
        .where(
            Visit.fix.is_not(None),
            _local_day(Visit.device_time, account.station_id) == day,
        )
        .order_by(Visit.collector_id, Visit.device_time.desc())
        .ext(distinct_on(Visit.collector_id))
    )
    inner = restrict(last, Visit, scope).subquery("last_fix")
    return (
        select(
            inner.c.collector_id,
            collector.display_name.label("collector"),
            func.to_char(
                func.timezone("UTC", inner.c.at), literal('YYYY-MM-DD"T"HH24:MI:SS"Z"')
            ).label("at"),
            cast(inner.c.outcome, String).label("outcome"),
            inner.c.geom,
        )
        .join(collector, collector.id == inner.c.collector_id)
        .where(inner.c.geom.op("&&")(tile.bbox_wgs84()))
    )
