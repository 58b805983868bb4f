"""Today's progress: how each route of a day's published plan is going.

One answer per station and day, cheap enough to poll every 30 s (a handful of small
queries, each bounded by the plan's stops and collectors). A stop is *done* once the
route's collector has recorded a visit to its account on the plan's station-local day
(the latest such visit gives its outcome); money is what the route's accounts paid
that day through any channel, net of payments reversed since. The last known position
is the latest of the collector's visit fixes that day and the positions sent with their
re-plan requests. ``delay_seconds`` compares the latest done stop's visit with its
planned arrival: positive is behind the plan, negative ahead.

Collectors see their own route only (``core.scope``); supervisors their station's.
A poll is answered from :func:`progress_version` first: one indexed statement digests
every row the answer is made of, and an unchanged digest is a 304 with nothing built.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    DateTime,
    Integer,
    String,
    Text,
    any_,
    bindparam,
    cast,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.orm import Session, aliased, defer

from core.errors import NotFound
from core.models import (
    Channel,
    EntryKind,
    Job,
    Payment,
    Plan,
    PlanStatus,
    Route,
    Station,
    Stop,
    User,
    Visit,
)
from core.planning.replan import REPLAN_KIND
from core.scope import Scope, get_scoped, restrict

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Position:
    """Where the collector was last seen: WGS-84 ``lon``/``lat`` at ``at``."""

    lon: float
    lat: float
    at: dt.datetime
    source: str  # "visit" or "replan"


@dataclass(frozen=True)
class StopProgress:
    stop_id: int
    seq: int
    account_id: int
    eta: dt.datetime
    done: bool
    outcome: str | None
    visited_at: dt.datetime | None
    #: The account paid something this day (any channel).
    paid_today: bool


@dataclass
class RouteProgress:
    route_id: int
    collector_id: int
    collector_name: str
    stops_total: int = 0
    stops_done: int = 0
    stops_left: int = 0
    #: Stops left whose account paid through some channel this day: no trip needed.
    left_paid_elsewhere: int = 0
    #: Stops left whose planned arrival has passed (at ``now``).
    left_overdue: int = 0
    #: Visits by the collector this day to accounts that are not stops of the route.
    off_plan_visits: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    collected: dict[str, Decimal] = field(default_factory=dict)
    collected_total: Decimal = ZERO
    last_position: Position | None = None
    delay_seconds: int | None = None
    next_eta: dt.datetime | None = None
    stops: list[StopProgress] = field(default_factory=list)


@dataclass(frozen=True)
class Progress:
    station_id: int
    date: dt.date
    timezone: str
    now: dt.datetime
    plan_id: int | None
    plan_version: int | None
    published_at: dt.datetime | None
    routes: list[RouteProgress]


def day_bounds(day: dt.date, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the station-local ``day`` and the first instant after it."""
    tz = ZoneInfo(timezone)
    start = dt.datetime.combine(day, dt.time(), tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz)


def published_plan(session: Session, station_id: int, day: dt.date) -> Plan | None:
    """The station's published plan of ``day``, without its summary (a large JSON
    document progress never shows: decoding it cost each poll more than its queries;
    it loads on access)."""
    plan: Plan | None = session.scalars(
        select(Plan)
        .options(defer(Plan.summary))
        .where(
            Plan.station_id == station_id,
            Plan.plan_date == day,
            Plan.status == PlanStatus.PUBLISHED,
        )
    ).first()
    return plan


def progress_day(
    session: Session, scope: Scope, station_id: int, day: dt.date | None, now: dt.datetime
) -> tuple[Station, dt.date, Plan | None]:
    """The station in scope (:class:`NotFound` otherwise), the day asked for (None: the
    station's local date at ``now``) and that day's published plan, if any."""
    station = get_scoped(session, Station, station_id, scope)
    if station is None:
        raise NotFound("station")
    if day is None:
        day = now.astimezone(ZoneInfo(station.timezone)).date()
    return station, day, published_plan(session, station.id, day)


def station_progress(
    session: Session, scope: Scope, station_id: int, day: dt.date | None, now: dt.datetime
) -> Progress:
    """The progress of every route in scope of the station's published plan for ``day``
    (None: the station's local date at ``now``)."""
    station, day, plan = progress_day(session, scope, station_id, day, now)
    return day_progress(session, scope, station, day, plan, now)


def day_progress(
    session: Session,
    scope: Scope,
    station: Station,
    day: dt.date,
    plan: Plan | None,
    now: dt.datetime,
) -> Progress:
    """:func:`station_progress` once the station, day and plan are known."""
    if plan is None:
        return Progress(station.id, day, station.timezone, now, None, None, None, [])
    start, end = day_bounds(day, station.timezone)
    route_rows = session.execute(
        restrict(
            select(Route.id, Route.collector_id, User.display_name)
            .join(User, User.id == Route.collector_id)
            .where(Route.plan_id == plan.id)
            .order_by(Route.collector_id),
            Route,
            scope,
        )
    ).all()
    routes = {r.id: RouteProgress(r.id, r.collector_id, r.display_name) for r in route_rows}
    if not routes:
        return _answer(station, day, now, plan, [])
    stops = session.execute(
        select(Stop.id, Stop.route_id, Stop.seq, Stop.account_id, Stop.eta)
        .where(Stop.route_id.in_(routes))
        .order_by(Stop.route_id, Stop.seq)
    ).all()
    collectors = {r.collector_id: r for r in routes.values()}
    visits = _visits(session, list(collectors), start, end)
    account_ids = {s.account_id for s in stops}
    paid = _paid(session, account_ids, start, end)
    for route in routes.values():
        _fill(route, stops, visits.get(route.collector_id, []), paid, now)
    for collector_id, pos in _replans(session, station.id, day, list(collectors)).items():
        route = collectors[collector_id]
        if route.last_position is None or pos.at > route.last_position.at:
            route.last_position = pos
    return _answer(station, day, now, plan, list(routes.values()))


def _rows_digest(stmt: Any, *columns: Any) -> Any:
    """md5 of ``columns``' rows (each as row text, in text order): changes with any of them."""
    row = cast(tuple_(*columns), Text)
    rows = func.string_agg(row, aggregate_order_by(literal(","), row))
    digest = func.md5(func.coalesce(rows, ""))
    return stmt.with_only_columns(digest).scalar_subquery()


@functools.lru_cache(maxsize=512)
def _digest_statement(scope: Scope) -> Any:
    """:func:`progress_version`'s statement for ``scope`` (its routes clause), built once
    per scope and run with the plan, station, day, its bounds and now as parameters
    (building it cost more than running it)."""
    starts = bindparam("starts", type_=DateTime(timezone=True))
    ends = bindparam("ends", type_=DateTime(timezone=True))
    now = bindparam("now", type_=DateTime(timezone=True))
    routes = restrict(
        select(Route.id, Route.collector_id, User.display_name)
        .join(User, User.id == Route.collector_id)
        .where(Route.plan_id == bindparam("plan_id", type_=Integer)),
        Route,
        scope,
    ).cte("progress_route")
    stops = (
        select(Stop.id, Stop.route_id, Stop.seq, Stop.account_id, Stop.eta)
        .where(Stop.route_id.in_(select(routes.c.id)))
        .cte("progress_stop")
    )
    collectors = select(routes.c.collector_id)
    reversal = aliased(Payment)
    return select(
        _rows_digest(select(routes), *routes.c),
        _rows_digest(select(stops), *stops.c),
        select(func.count()).where(stops.c.eta < now).scalar_subquery(),
        _rows_digest(
            select(Visit).where(
                Visit.collector_id.in_(collectors),
                Visit.device_time >= starts,
                Visit.device_time < ends,
            ),
            Visit.id,
            Visit.collector_id,
            Visit.account_id,
            Visit.outcome,
            Visit.device_time,
            Visit.fix,
        ),  # fmt: skip
        _rows_digest(
            select(Payment)
            .outerjoin(reversal, reversal.reverses_id == Payment.id)
            .where(
                Payment.account_id.in_(select(stops.c.account_id)),
                Payment.collected_at >= starts,
                Payment.collected_at < ends,
            ),
            Payment.id,
            Payment.kind,
            Payment.account_id,
            Payment.channel,
            Payment.amount,
            reversal.id,
        ),  # fmt: skip
        _rows_digest(
            select(Job).where(
                Job.kind == REPLAN_KIND,
                Job.station_id == bindparam("station_id", type_=Integer),
                Job.created_by.in_(collectors),
                Job.payload["plan_date"].astext == bindparam("day", type_=String),
            ),
            Job.id,
            Job.created_by,
            Job.created_at,
            Job.payload["replan"]["position"],
        ),  # fmt: skip
    )


def progress_version(
    session: Session,
    scope: Scope,
    station: Station,
    day: dt.date,
    plan: Plan | None,
    now: dt.datetime,
) -> str:
    """A digest of everything :func:`day_progress` reads for the caller, in one statement
    through the indexes (no answer built): the plan, its routes (and collectors' names)
    and stops, how many planned arrivals ``now`` has passed, the collectors' visits of
    the day, the stops' accounts' payments of the day with their reversals, and the
    re-plan requests. Equal digests give equal answers, so it serves as the ETag: a poll
    that changed nothing is answered 304 from this alone."""
    head = f"{scope.role.value}|{scope.user_id}|{station.id}|{day.isoformat()}"
    if plan is None:
        return hashlib.sha256(f"{head}|no plan".encode()).hexdigest()[:40]
    start, end = day_bounds(day, station.timezone)
    parts = session.execute(
        _digest_statement(scope),
        {
            "plan_id": plan.id,
            "station_id": station.id,
            "day": day.isoformat(),
            "starts": start,
            "ends": end,
            "now": now,
        },
    ).one()
    published = plan.published_at.isoformat() if plan.published_at else ""
    raw = "|".join([head, str(plan.id), str(plan.version), published, *map(str, parts)])
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


def _answer(
    station: Station, day: dt.date, now: dt.datetime, plan: Plan, routes: list[RouteProgress]
) -> Progress:
    return Progress(
        station.id, day, station.timezone, now, plan.id, plan.version, plan.published_at, routes
    )


@dataclass(frozen=True)
class _Visit:
    account_id: int
    outcome: str
    at: dt.datetime
    lon: float | None
    lat: float | None


def _visits(
    session: Session, collector_ids: list[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[_Visit]]:
    """The collectors' visits of the day, oldest first."""
    rows = session.execute(
        select(
            Visit.collector_id,
            Visit.account_id,
            Visit.outcome,
            Visit.device_time,
            func.ST_X(Visit.fix),
            func.ST_Y(Visit.fix),
        )
        .where(
            Visit.collector_id.in_(collector_ids),
            Visit.device_time >= start,
            Visit.device_time < end,
        )
        .order_by(Visit.device_time, Visit.id)
    ).all()
    out: dict[int, list[_Visit]] = defaultdict(list)
    for collector_id, account_id, outcome, at, lon, lat in rows:
        out[collector_id].append(_Visit(account_id, str(outcome.value), at, lon, lat))
    return out


def _paid(
    session: Session, account_ids: set[int], start: dt.datetime, end: dt.datetime
) -> dict[int, dict[str, Decimal]]:
    """Per account and channel: what it paid in ``[start, end)``, reversed payments left out."""
    if not account_ids:
        return {}
    reversal = aliased(Payment)
    rows = session.execute(
        select(Payment.account_id, Payment.channel, func.sum(Payment.amount))
        .where(
            # One array parameter (an IN list renders a parameter per account).
            Payment.account_id
            == any_(bindparam("stop_accounts", sorted(account_ids), type_=ARRAY(Integer))),
            Payment.kind == EntryKind.PAYMENT,
            Payment.collected_at >= start,
            Payment.collected_at < end,
            ~select(reversal.id).where(reversal.reverses_id == Payment.id).exists(),
        )
        .group_by(Payment.account_id, Payment.channel)
    ).all()
    out: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for account_id, channel, amount in rows:
        out[account_id][Channel(channel).value] = amount
    return out


def _fill(
    route: RouteProgress,
    stops: Any,
    visits: list[_Visit],
    paid: dict[int, dict[str, Decimal]],
    now: dt.datetime,
) -> None:
    latest: dict[int, _Visit] = {}
    for seen in visits:  # oldest first: the last one wins
        latest[seen.account_id] = seen
    mine = [s for s in stops if s.route_id == route.route_id]
    on_route = {s.account_id for s in mine}
    outcomes: Counter[str] = Counter()
    collected: dict[str, Decimal] = defaultdict(lambda: ZERO)
    last_done: tuple[dt.datetime, dt.datetime] | None = None  # (visited, eta)
    for s in mine:
        v = latest.get(s.account_id)
        money = paid.get(s.account_id, {})
        for channel, amount in money.items():
            collected[channel] += amount
        route.stops.append(
            StopProgress(
                s.id, s.seq, s.account_id, s.eta, v is not None,
                v.outcome if v else None, v.at if v else None, bool(money),
            )
        )  # fmt: skip
        if v is not None:
            outcomes[v.outcome] += 1
            if last_done is None or v.at > last_done[0]:
                last_done = (v.at, s.eta)
            continue
        route.left_paid_elsewhere += bool(money)
        route.left_overdue += s.eta < now
        if route.next_eta is None or s.eta < route.next_eta:
            route.next_eta = s.eta
    route.stops_total = len(mine)
    route.stops_done = sum(1 for s in route.stops if s.done)
    route.stops_left = route.stops_total - route.stops_done
    route.off_plan_visits = sum(1 for v in visits if v.account_id not in on_route)
    route.outcomes = dict(sorted(outcomes.items()))
    route.collected = dict(sorted(collected.items()))
    route.collected_total = sum(collected.values(), ZERO)
    if last_done is not None:
        route.delay_seconds = int((last_done[0] - last_done[1]).total_seconds())
    fixed = [v for v in visits if v.lon is not None and v.lat is not None]
    if fixed:
        v = fixed[-1]
        assert v.lon is not None and v.lat is not None
        route.last_position = Position(v.lon, v.lat, v.at, "visit")


def _replans(
    session: Session, station_id: int, day: dt.date, collector_ids: list[int]
) -> dict[int, Position]:
    """Per collector: the position sent with their latest re-plan request for ``day``."""
    rows = session.execute(
        select(Job.created_by, Job.created_at, Job.payload["replan"]["position"])
        .where(
            Job.kind == REPLAN_KIND,
            Job.station_id == station_id,
            Job.created_by.in_(collector_ids),
            Job.payload["plan_date"].astext == day.isoformat(),
        )
        .order_by(Job.created_at)
    ).all()
    out: dict[int, Position] = {}
    for collector_id, at, position in rows:
        if isinstance(position, list) and len(position) == 2:
            out[collector_id] = Position(float(position[0]), float(position[1]), at, "replan")
    return out
