"""Feature collections for OGC API - Features: accounts, territories, villages, visits, routes.

Each collection is a scoped SELECT (:mod:`core.scope`) with an ``fid`` column, property
columns and a WGS-84 ``geom``; :func:`items` filters it by bbox and time, counts the
matches and answers one page of GeoJSON features. Money is a string like ``"128.50"``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, aliased

from core.errors import NotFound
from core.models import Account, Plan, Route, Stop, Territory, User, Visit, territory_collector
from core.money.aging import Stage
from core.money.arrears_sql import arrears_by_age
from core.scope import Scope, restrict

__all__ = ["COLLECTIONS", "Collection", "Query", "collection", "extent", "item", "items"]

_Box = tuple[float, float, float, float]
_Interval = tuple[dt.datetime | None, dt.datetime | None]


@dataclass(frozen=True)
class Query:
    """A page request: bbox (lon/lat), time interval (closed, open ends None), page."""

    bbox: _Box | None = None
    interval: _Interval | None = None
    limit: int = 100
    offset: int = 0
    day: dt.date | None = None  # accounts: arrears as of this day


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    source: Callable[[Scope], Select[Any]]
    #: The instant (or date) column ``datetime`` filters on; None: no temporal filter.
    time: Callable[[Select[Any]], Any] | None = None
    #: Turns a page of rows' properties into final ones (e.g. adds arrears), or None.
    enrich: Callable[[Session, list[dict[str, Any]], Query], None] | None = None
    fid_is_int: bool = True


def _accounts(scope: Scope) -> Select[Any]:
    responsible = aliased(User)
    stmt: Any = (
        select(
            Account.id.label("fid"),
            Account.number.label("number"),
            Account.village.label("village"),
            cast(Account.category, String).label("category"),
            cast(Account.location_quality, String).label("location_quality"),
            Account.station_id.label("station_id"),
            Account.territory_id.label("territory_id"),
            Account.responsible_id.label("responsible_id"),
            responsible.display_name.label("responsible"),
            Account.location.label("geom"),
        )
        .outerjoin(responsible, responsible.id == Account.responsible_id)
        .order_by(Account.id)
    )
    return restrict(stmt, Account, scope)


def _with_arrears(session: Session, rows: list[dict[str, Any]], q: Query) -> None:
    if not rows:
        return
    day = q.day or dt.datetime.now(dt.UTC).date()
    owed = arrears_by_age(day, account_ids=[r["fid"] for r in rows])
    found = {
        a: (p, s, d)
        for a, p, s, d in session.execute(
            select(owed.c.account_id, owed.c.principal, owed.c.stage, owed.c.oldest_days_overdue)
        )
    }
    for r in rows:
        principal, stage, days = found.get(r["fid"], (Decimal(0), Stage.NONE.value, 0))
        r["arrears"] = f"{principal:.2f}"
        r["stage"] = stage
        r["days_overdue"] = int(days)
        r["as_of"] = day.isoformat()


def _territories(scope: Scope) -> Select[Any]:
    names = (
        select(func.string_agg(User.display_name, "、"))
        .select_from(territory_collector)
        .join(User, User.id == territory_collector.c.user_id)
        .where(territory_collector.c.territory_id == Territory.id)
        .scalar_subquery()
    )
    stmt = select(
        Territory.id.label("fid"),
        Territory.name.label("name"),
        Territory.station_id.label("station_id"),
        names.label("collectors"),
        Territory.area.label("geom"),
    ).order_by(Territory.id)
    return restrict(stmt, Territory, scope)


def _villages(scope: Scope) -> Select[Any]:
    places = restrict(
        select(Account.station_id, Account.village, Account.location), Account, scope
    ).subquery("places")
    return (
        select(
            func.concat(places.c.station_id, "-", places.c.village).label("fid"),
            places.c.village.label("name"),
            places.c.station_id.label("station_id"),
            func.count().label("accounts"),
            func.ST_Centroid(func.ST_Collect(places.c.location)).label("geom"),
        )
        .group_by(places.c.station_id, places.c.village)
        .order_by(places.c.station_id, places.c.village)
    )


def _visits(scope: Scope) -> Select[Any]:
    stmt: Any = select(
        cast(Visit.id, String).label("fid"),
        Visit.account_id.label("account_id"),
        Visit.collector_id.label("collector_id"),
        cast(Visit.outcome, String).label("outcome"),
        Visit.promise_date.label("promise_date"),
        Visit.device_time.label("device_time"),
        Visit.fix_accuracy_m.label("fix_accuracy_m"),
        Visit.fix.label("geom"),
    ).order_by(Visit.device_time, Visit.id)
    return restrict(stmt, Visit, scope)


def _routes(scope: Scope) -> Select[Any]:
    collector = aliased(User)
    account = aliased(Account)
    line = (
        select(func.ST_MakeLine(aggregate_order_by(account.location, Stop.seq)))
        .select_from(Stop)
        .join(account, account.id == Stop.account_id)
        .where(Stop.route_id == Route.id)
        .scalar_subquery()
    )
    stops = select(func.count()).where(Stop.route_id == Route.id).scalar_subquery()
    stmt = (
        select(
            Route.id.label("fid"),
            Route.plan_id.label("plan_id"),
            Plan.plan_date.label("plan_date"),
            Plan.version.label("version"),
            cast(Plan.status, String).label("status"),
            Route.collector_id.label("collector_id"),
            collector.display_name.label("collector"),
            stops.label("stops"),
            Route.travel_seconds.label("travel_seconds"),
            Route.expected_value.label("expected_value"),
            func.coalesce(
                Plan.summary.op("->")("route_geometry").op("->>")(cast(Route.collector_id, String)),
                "straight",
            ).label("line"),
            func.coalesce(Route.path, line).label("geom"),
        )
        .join(Plan, Plan.id == Route.plan_id)
        .join(collector, collector.id == Route.collector_id)
        .order_by(Route.id)
    )
    return restrict(stmt, Route, scope)


def _column(name: str) -> Callable[[Select[Any]], Any]:
    return lambda stmt: stmt.selected_columns[name]


COLLECTIONS: dict[str, Collection] = {
    c.id: c
    for c in (
        Collection(
            "accounts",
            "Accounts",
            "Customer accounts with arrears (principal outstanding), stage and collector.",
            _accounts,
            enrich=_with_arrears,
        ),
        Collection("territories", "Territories", "Territories and their collectors.", _territories),
        Collection(
            "villages",
            "Villages",
            "One point per village: the centroid of its accounts.",
            _villages,
            fid_is_int=False,
        ),
        Collection(
            "visits",
            "Visits",
            "Door-to-door visits at the collector's GNSS fix; datetime filters device_time.",
            _visits,
            time=_column("device_time"),
            fid_is_int=False,
        ),
        Collection(
            "routes",
            "Routes",
            "Planned routes (one per collector and plan); datetime filters the plan's day.",
            _routes,
            time=_column("plan_date"),
        ),
    )
}


def collection(name: str) -> Collection:
    """The collection ``name`` (:class:`NotFound` otherwise)."""
    try:
        return COLLECTIONS[name]
    except KeyError:
        raise NotFound("collection") from None


def _filtered(c: Collection, scope: Scope, q: Query) -> Select[Any]:
    stmt = c.source(scope)
    geom: Any = stmt.selected_columns["geom"]
    if q.bbox is not None:
        box = func.ST_MakeEnvelope(*q.bbox, 4326)
        stmt = stmt.where(geom.op("&&")(box))
    if q.interval is not None and c.time is not None:
        column = c.time(stmt)
        start, end = q.interval
        is_date = column.type.python_type is dt.date
        if start is not None:
            stmt = stmt.where(column >= (start.date() if is_date else start))
        if end is not None:
            stmt = stmt.where(column <= (end.date() if is_date else end))
    return stmt


def _feature(row: dict[str, Any]) -> dict[str, Any]:
    geometry = row.pop("geometry")
    fid = row.pop("fid")
    props = {k: _plain(v) for k, v in row.items()}
    return {
        "type": "Feature",
        "id": fid,
        "geometry": json.loads(geometry) if geometry else None,
        "properties": props,
    }


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return f"{v:.2f}"
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _rows(session: Session, stmt: Select[Any]) -> list[dict[str, Any]]:
    inner = stmt.subquery("features")
    cols = [c for c in inner.c if c.key != "geom"]
    shaped = select(*cols, func.ST_AsGeoJSON(inner.c.geom, 7).label("geometry"))
    return [dict(r._mapping) for r in session.execute(shaped)]


def items(
    session: Session, scope: Scope, name: str, q: Query
) -> tuple[list[dict[str, Any]], int]:
    """One page of the collection's features in scope and the number matched."""
    c = collection(name)
    stmt = _filtered(c, scope, q)
    matched = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = _rows(session, stmt.limit(q.limit).offset(q.offset))
    if c.enrich is not None:
        c.enrich(session, rows, q)
    return [_feature(r) for r in rows], int(matched)


def item(session: Session, scope: Scope, name: str, fid: str, q: Query) -> dict[str, Any]:
    """One feature by id (:class:`NotFound` when missing or out of scope)."""
    c = collection(name)
    stmt = c.source(scope)
    key: ColumnElement[Any] = stmt.selected_columns["fid"]
    if c.fid_is_int:
        if not fid.isdigit() or int(fid) > 2**31 - 1:
            raise NotFound("feature")
        stmt = stmt.where(key == int(fid))
    else:
        stmt = stmt.where(key == fid)
    rows = _rows(session, stmt.limit(1))
    if not rows:
        raise NotFound("feature")
    if c.enrich is not None:
        c.enrich(session, rows, q)
    return _feature(rows[0])


def extent(session: Session, scope: Scope, name: str) -> _Box | None:
    """The collection's bounding box in scope (None when empty)."""
    inner = collection(name).source(scope).subquery("features")
    box = session.scalar(select(func.ST_Extent(inner.c.geom)))
    if box is None:
        return None
    w, s, e, n = (float(v) for v in str(box)[4:-1].replace(",", " ").split())
    return (w, s, e, n)
