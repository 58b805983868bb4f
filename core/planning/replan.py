"""Re-plan my day: from where I stand now, without the stops already done or paid.

The re-plan is a job like any plan. When it runs it takes the collector's route in the
day's published plan, keeps the stops already visited today at its head (locked, with
their planned times), plans the rest of the day from the current position and time,
and stores a new version of the station's day: the other collectors' routes copied
unchanged, this route replaced. That version is published at once, unless the day's
published plan changed meanwhile (then the job fails: the collector re-plans again).

Only the collector's own accounts are read and valued, against the value model's priors
the base plan kept (``core.planning.priors``): the station-wide pooling that makes them is
the slow part of a plan's gather, and the morning's priors are what the day was planned
on. A base plan without kept priors is re-planned the slow way.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.field.route import find_route
from core.models import Job, JobStatus, Plan, PlanStatus, Route, Station, Stop, Visit
from core.planning.draft import (
    COLLECTOR_NOT_IN_PLAN,
    PlanDraft,
    PlannedRoute,
    PlannedStop,
    PlanRequest,
)
from core.planning.exclusive import add_exclusive, replan_key
from core.planning.priors import Priors
from core.planning.versions import PlanConflict, planned_route, publish_plan, store_plan
from core.scope import Scope

REPLAN_KIND = "replan"


@dataclass(frozen=True)
class ReplanContext:
    base_plan_id: int
    collector_id: int
    #: Stops already visited today, as planned, locked at the head of the new route.
    done: tuple[PlannedStop, ...]


def replan_payload(
    *,
    station_id: int,
    plan_date: dt.date,
    collector_id: int,
    base_plan_id: int,
    position: tuple[float, float],
    time_limit: float,
) -> dict[str, object]:
    """What a re-plan job stores (the rest is read when it runs)."""
    return {
        "station_id": station_id,
        "plan_date": plan_date.isoformat(),
        "collector_ids": [collector_id],
        "time_limit": time_limit,
        "replan": {
            "collector_id": collector_id,
            "base_plan_id": base_plan_id,
            "position": list(position),
        },
    }


def submit_replan(
    session: Session,
    scope: Scope,
    day: dt.date,
    *,
    position: tuple[float, float],
    time_limit: float,
) -> Job:
    """Queue a re-plan of the collector's published route for ``day`` (the caller commits,
    then rings); :class:`NotFound` if there is none."""
    route = find_route(session, scope, scope.user_id, day)
    if route is None:
        raise NotFound("published route for this day")
    plan = route.plan
    job = Job(
        kind=REPLAN_KIND,
        status=JobStatus.QUEUED,
        payload=replan_payload(
            station_id=plan.station_id,
            plan_date=day,
            collector_id=scope.user_id,
            base_plan_id=plan.id,
            position=position,
            time_limit=time_limit,
        ),
        attempts=0,
        max_attempts=2,
        station_id=plan.station_id,
        created_by=scope.user_id,
    )
    return add_exclusive(session, job, replan_key(scope.user_id), "A re-plan of your day")


def _done_stops(session: Session, route: Route, day: dt.date, tz: str) -> tuple[Stop, ...]:
    """Stops of ``route`` whose account this collector visited on ``day`` (local)."""
    visited = select(Visit.account_id).where(
        Visit.collector_id == route.collector_id,
        func.date(func.timezone(tz, Visit.device_time)) == day,
    )
    return tuple(
        session.scalars(
            select(Stop)
            .where(Stop.route_id == route.id, Stop.account_id.in_(visited))
            .order_by(Stop.seq)
        )
    )


def _base_priors(session: Session, plan_id: int) -> Priors | None:
    """The value model's priors the re-planned plan was valued with, if it kept them."""
    plan = session.get(Plan, plan_id)
    model = (plan.summary or {}).get("value_model") if plan is not None else None
    return Priors.from_json(model.get("priors")) if isinstance(model, dict) else None


def replan_request(
    session: Session,
    payload: dict[str, object],
    base: PlanRequest,
    now: dt.datetime,
) -> tuple[PlanRequest, ReplanContext]:
    """The plan request of a re-plan job, evaluated now (visits and payments so far)."""
    info: dict[str, Any] = payload["replan"]  # type: ignore[assignment]
    collector_id = int(info["collector_id"])
    base_plan_id = int(info["base_plan_id"])
    lon, lat = (float(x) for x in info["position"])
    station = session.get(Station, base.station_id)
    if station is None:
        raise LookupError(f"no station {base.station_id}")
    route = session.scalars(
        select(Route).where(Route.plan_id == base_plan_id, Route.collector_id == collector_id)
    ).one()
    done = tuple(
        PlannedStop(
            account_id=s.account_id,
            seq=i,
            eta=s.eta,
            departure=s.departure,
            expected_value=s.expected_value,
            mandatory=s.mandatory,
            locked=True,
            explain=dict(s.explain),
        )
        for i, s in enumerate(_done_stops(session, route, base.plan_date, station.timezone), 1)
    )
    visited_today = set(
        session.scalars(
            select(Visit.account_id).where(
                Visit.collector_id == collector_id,
                func.date(func.timezone(station.timezone, Visit.device_time)) == base.plan_date,
            )
        )
    )
    local = now.astimezone(ZoneInfo(station.timezone))
    start_s = 0
    if local.date() == base.plan_date:
        start_s = local.hour * 3600 + local.minute * 60 + local.second
    elif local.date() > base.plan_date:
        start_s = 24 * 3600 - 1
    req = PlanRequest(
        station_id=base.station_id,
        plan_date=base.plan_date,
        collector_ids=(collector_id,),
        time_limit=base.time_limit,
        per_collector=base.per_collector,
        service_s=base.service_s,
        workers=base.workers,
        start_at={collector_id: (lon, lat)},
        start_time={collector_id: start_s},
        exclude_accounts=frozenset(visited_today),
        priors=_base_priors(session, base_plan_id),
        rolling=False,  # the rest of a day already running: no month horizon
    )
    return req, ReplanContext(base_plan_id, collector_id, done)


def store_replan(
    session: Session,
    draft: PlanDraft,
    ctx: ReplanContext,
    *,
    job_id: uuid.UUID,
    created_by: int | None,
) -> Plan:
    """Store and publish the re-planned day (the caller commits)."""
    base = session.get(Plan, ctx.base_plan_id)
    if base is None or base.status is not PlanStatus.PUBLISHED:
        raise PlanConflict("The day's published plan changed since the re-plan was asked for.")
    new_route = next(r for r in draft.routes if r.collector_id == ctx.collector_id)
    done = list(ctx.done)
    rest = [replace(s, seq=len(done) + s.seq, locked=False) for s in new_route.stops]
    route = PlannedRoute(
        collector_id=ctx.collector_id,
        stops=tuple(done + rest),
        travel_seconds=new_route.travel_seconds,
        expected_value=sum((s.expected_value for s in rest), Decimal("0.00")),
        path=new_route.path,
    )
    summary = dict(draft.summary)
    summary["unassigned"] = [
        u
        for u in summary["unassigned"]  # type: ignore[attr-defined]
        if u["reason"] != COLLECTOR_NOT_IN_PLAN
    ]
    summary["replan_of"] = base.id
    summary["replanned_collector"] = ctx.collector_id
    summary["done_stops"] = [s.account_id for s in ctx.done]
    # The other collectors' routes stay exactly as published.
    others = tuple(planned_route(r) for r in base.routes if r.collector_id != ctx.collector_id)
    plan = store_plan(
        session,
        PlanDraft(draft.station_id, draft.plan_date, (route, *others), summary),
        job_id=job_id,
        created_by=created_by,
    )
    publish_plan(session, plan)
    return plan
