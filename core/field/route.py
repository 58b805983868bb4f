"""The collector's day as the phone shows it: ordered stops with what is owed today.

Functions take a ``Session`` and a ``Scope``; no Flask.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager

from core.models import Account, Outcome, Plan, PlanStatus, Route, Station, Stop, Visit
from core.money import AmountDue, dues_of
from core.scope import Scope, restrict


@dataclass(frozen=True)
class StopHistory:
    """What the collector should know before knocking: past visits and escalation."""

    visits: int
    by_outcome: dict[str, int]
    last_visit_at: dt.datetime | None
    last_outcome: str | None
    last_promise_date: dt.date | None
    escalation_stage: str
    oldest_days_overdue: int


@dataclass(frozen=True)
class FieldStop:
    stop: Stop
    account: Account
    due: AmountDue
    history: StopHistory
    #: The station's time zone: the stop's times on its wall clock.
    timezone: str = "Asia/Shanghai"

    @property
    def eta_local(self) -> dt.datetime:
        return self.stop.eta.astimezone(ZoneInfo(self.timezone))

    @property
    def departure_local(self) -> dt.datetime:
        return self.stop.departure.astimezone(ZoneInfo(self.timezone))

    @property
    def settled(self) -> bool:
        """No principal is owed any more (paid through any channel since the plan was made).

        A late fee left over alone does not justify a trip; it stays in ``amount_due``.
        """
        return self.due.principal <= 0


@dataclass(frozen=True)
class FieldRoute:
    route: Route
    plan: Plan
    as_of: dt.date
    stops: list[FieldStop] = field(default_factory=list)
    #: The station's time zone (times in answers are UTC; this names the wall clock).
    timezone: str = "Asia/Shanghai"
    #: Stops left out because their account is no longer in the caller's scope (e.g.
    #: reassigned to another collector since the plan was made).
    redacted: int = 0

    @property
    def path(self) -> Any:
        """The route line, withheld when stops were redacted (it passes their doors)."""
        return None if self.redacted else self.route.path


def find_route(session: Session, scope: Scope, collector_id: int, day: dt.date) -> Route | None:
    """The collector's route in the day's published plan, if any (and if in scope), with
    its plan read in the same statement, less the plan's summary (a large JSON document
    the day's documents never show)."""
    stmt = restrict(
        select(Route)
        .join(Plan, Plan.id == Route.plan_id)
        .options(contains_eager(Route.plan).defer(Plan.summary))
        .where(
            Route.collector_id == collector_id,
            Plan.plan_date == day,
            Plan.status == PlanStatus.PUBLISHED,
        ),
        Route,
        scope,
    )
    route: Route | None = session.scalars(stmt).one_or_none()
    return route


def route_by_id(session: Session, scope: Scope, route_id: int) -> Route | None:
    """A route by id if it is in scope (collectors: their own, published)."""
    stmt = restrict(select(Route).where(Route.id == route_id), Route, scope)
    route: Route | None = session.scalars(stmt).one_or_none()
    return route


def _histories(
    session: Session, account_ids: list[int], before: dt.date
) -> dict[int, tuple[Counter[str], dt.datetime | None, str | None, dt.date | None]]:
    rows = session.execute(
        select(Visit.account_id, Visit.outcome, Visit.device_time, Visit.promise_date)
        .where(Visit.account_id.in_(account_ids), func.date(Visit.device_time) <= before)
        .order_by(Visit.account_id, Visit.device_time)
    ).all()
    out: dict[int, tuple[Counter[str], dt.datetime | None, str | None, dt.date | None]] = {}
    for account_id, outcome, at, promise in rows:
        counts, _, _, last_promise = out.get(account_id, (Counter(), None, None, None))
        counts[Outcome(outcome).value] += 1
        out[account_id] = (counts, at, Outcome(outcome).value, promise or last_promise)
    return out


def field_route(session: Session, scope: Scope, route: Route, as_of: dt.date) -> FieldRoute:
    """The route with each stop's account, amount due on ``as_of`` and history.

    Accounts go through the one scoping helper: a stop whose account has left the
    caller's scope since the plan was made (reassigned away) is redacted, not shown.
    """
    planned = list(
        session.scalars(select(Stop).where(Stop.route_id == route.id).order_by(Stop.seq))
    )
    wanted = [s.account_id for s in planned]
    accounts = {
        a.id: a
        for a in session.scalars(
            restrict(select(Account).where(Account.id.in_(wanted)), Account, scope)
        )
    }
    stops = [s for s in planned if s.account_id in accounts]
    ids = [s.account_id for s in stops]
    hist = _histories(session, ids, as_of)
    dues = dues_of(session, ids, as_of)  # amount_due of every stop, in two queries
    station = session.get(Station, route.plan.station_id)
    tz = station.timezone if station is not None else "Asia/Shanghai"
    out = FieldRoute(route, route.plan, as_of, timezone=tz, redacted=len(planned) - len(stops))
    for s in stops:
        due = dues[s.account_id]
        counts, last_at, last_outcome, promise = hist.get(
            s.account_id, (Counter(), None, None, None)
        )
        out.stops.append(
            FieldStop(
                s,
                accounts[s.account_id],
                due,
                StopHistory(
                    visits=sum(counts.values()),
                    by_outcome=dict(counts),
                    last_visit_at=last_at,
                    last_outcome=last_outcome,
                    last_promise_date=promise,
                    escalation_stage=due.stage.value,
                    oldest_days_overdue=due.oldest_days_overdue,
                ),
                timezone=tz,
            )
        )
    return out


def total_due(route: FieldRoute) -> Decimal:
    """What the collector could collect today if every stop paid in full."""
    return sum((s.due.total for s in route.stops), Decimal("0.00"))
