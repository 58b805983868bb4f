"""Field work per collector: see docs/kpis.md, "Field work"."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, cast, func, select
from sqlalchemy.orm import Session

from core.kpis.base import Period, Subject, serial_plans
from core.kpis.collection import rate
from core.kpis.ledger import dated_allocations, instant_bounds
from core.models import (
    Account,
    Channel,
    Outcome,
    Plan,
    PlanStatus,
    Route,
    Station,
    Stop,
    Visit,
)
from core.scope import Scope, visible

ZERO = Decimal("0.00")
FIELD_CHANNELS = (Channel.FIELD_CASH, Channel.FIELD_QR)


@dataclass
class FieldWork:
    collector_id: int
    visits: int = 0
    #: Days on which the collector recorded at least one visit.
    days: int = 0
    nobody_home: int = 0
    refused: int = 0
    #: Principal and late fees collected at the door (field cash and QR), net of reversals.
    yuan: Decimal = ZERO
    #: Length of the collector's published routes in the period.
    km: Decimal = ZERO
    planned_stops: int = 0
    visited_stops: int = 0

    @property
    def visits_per_day(self) -> Decimal | None:
        return (
            None if not self.days else (Decimal(self.visits) / self.days).quantize(Decimal("0.01"))
        )

    @property
    def nobody_home_rate(self) -> Decimal | None:
        return rate(Decimal(self.nobody_home), Decimal(self.visits))

    @property
    def yuan_per_day(self) -> Decimal | None:
        return None if not self.days else (self.yuan / self.days).quantize(Decimal("0.01"))

    @property
    def yuan_per_km(self) -> Decimal | None:
        return None if self.km <= 0 else (self.yuan / self.km).quantize(Decimal("0.01"))

    @property
    def stops_visited_share(self) -> Decimal | None:
        return rate(Decimal(self.visited_stops), Decimal(self.planned_stops))


def field_work(session: Session, scope: Scope, subject: Subject, period: Period) -> list[FieldWork]:
    """Per collector: visits, days, nobody home, refusals, yuan, km, stops visited."""
    serial_plans(session)
    lo, hi = instant_bounds(period.start, period.end)
    accounts = Subject(subject.station_id, None, subject.village).accounts(scope)
    local_day = cast(func.timezone(Station.timezone, Visit.device_time), Date)
    mine: list[Any] = [visible(Visit, scope)]
    if subject.collector_id is not None:
        mine.append(Visit.collector_id == subject.collector_id)
    visits = (
        select(Visit.collector_id, Visit.account_id, Visit.outcome, local_day.label("day"))
        .join(Account, Account.id == Visit.account_id)
        .join(Station, Station.id == Account.station_id)
        .where(
            *accounts,
            *mine,
            Visit.device_time >= lo,
            Visit.device_time < hi,
            local_day.between(period.start, period.end),
        )  # fmt: skip
        .subquery("period_visit")
    )
    out: dict[int, FieldWork] = {}

    def line(collector_id: int) -> FieldWork:
        return out.setdefault(collector_id, FieldWork(collector_id))

    for cid, n, days, home, refused in session.execute(
        select(
            visits.c.collector_id,
            func.count(),
            func.count(func.distinct(visits.c.day)),
            func.count().filter(visits.c.outcome == Outcome.NOBODY_HOME),
            func.count().filter(visits.c.outcome == Outcome.REFUSED),
        ).group_by(visits.c.collector_id)
    ):
        fw = line(cid)
        fw.visits, fw.days, fw.nobody_home, fw.refused = n, days, home, refused
    da = dated_allocations(accounts, period.start, period.end)
    money = select(da.c.collector_id, func.sum(da.c.principal + da.c.late_fee)).where(
        da.c.channel.in_(FIELD_CHANNELS), da.c.collector_id.is_not(None)
    )
    if subject.collector_id is not None:
        money = money.where(da.c.collector_id == subject.collector_id)
    if scope.is_collector:
        money = money.where(da.c.collector_id == scope.user_id)
    for cid, yuan in session.execute(money.group_by(da.c.collector_id)):
        line(cid).yuan = yuan
    _routes(session, scope, subject, period, line)
    return sorted(out.values(), key=lambda f: f.collector_id)


def _routes(session: Session, scope: Scope, subject: Subject, period: Period, line: Any) -> None:
    """Km and stops of the published routes, and the stops visited on their day."""
    routes = (
        select(
            Route.id,
            Route.collector_id,
            Plan.plan_date,
            Plan.station_id,
            Route.path,
            Station.timezone.label("timezone"),
        )
        .join(Plan, Plan.id == Route.plan_id)
        .join(Station, Station.id == Plan.station_id)
        .where(
            Plan.status == PlanStatus.PUBLISHED,
            Plan.plan_date.between(period.start, period.end),
            visible(Route, scope),
        )
    )
    if subject.station_id is not None:
        routes = routes.where(Plan.station_id == subject.station_id)
    if subject.collector_id is not None:
        routes = routes.where(Route.collector_id == subject.collector_id)
    r = routes.subquery("period_route")
    km = func.coalesce(func.ST_Length(func.geography(r.c.path)), 0) / 1000
    for cid, length in session.execute(
        select(r.c.collector_id, func.sum(km)).group_by(r.c.collector_id)
    ):
        line(cid).km = Decimal(str(round(length, 3)))
    # The station's zone comes with the route: a scalar subquery on station here, two levels
    # inside the stops query, would not correlate to period_route (one zone per route).
    local_day = cast(func.timezone(r.c.timezone, Visit.device_time), Date)
    visited = (
        select(Visit.id)
        .where(
            Visit.collector_id == r.c.collector_id,
            Visit.account_id == Stop.account_id,
            local_day == r.c.plan_date,
        )
        .exists()
    )
    stops = select(
        r.c.collector_id,
        func.count(),
        func.count().filter(visited),
    ).select_from(r.join(Stop, Stop.route_id == r.c.id))
    if subject.village is not None:
        stops = stops.join(Account, Account.id == Stop.account_id).where(
            Account.village == subject.village
        )
    counts: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for cid, planned, done in session.execute(stops.group_by(r.c.collector_id)):
        counts[cid] = (planned, done)
    for cid, (planned, done) in counts.items():
        fw = line(cid)
        fw.planned_stops, fw.visited_stops = planned, done
