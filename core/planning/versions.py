"""Writing and publishing plans: versions per station and day, one published at a time."""

from __future__ import annotations

import datetime as dt
import uuid

from geoalchemy2.elements import WKTElement
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from core.errors import Conflict
from core.models import Plan, PlanPublication, PlanStatus, Route, Stop
from core.planning.draft import PlanDraft, PlannedRoute, PlannedStop
from core.planning.road_lines import ON_ROADS, route_lines


class PlanConflict(Conflict):
    """The plan cannot change state (e.g. publishing a superseded plan)."""


def lock_station_day(session: Session, station_id: int, day: dt.date) -> None:
    """Serialise writers of one station's day until the transaction ends."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
        {"k": f"plan:{station_id}:{day.isoformat()}"},
    )


def _linestring(path: tuple[tuple[float, float], ...]) -> WKTElement | None:
    if len(path) < 2:
        return None
    return WKTElement("LINESTRING(" + ",".join(f"{x} {y}" for x, y in path) + ")", srid=4326)


def planned_route(route: Route) -> PlannedRoute:
    """A stored route as a draft route: its stops, times and line exactly as stored."""
    path: tuple[tuple[float, float], ...] = ()
    if route.path is not None:
        path = tuple((float(x), float(y)) for x, y, *_ in to_shape(route.path).coords)
    kinds = route.plan.summary.get("route_geometry") or {}
    kind = kinds.get(str(route.collector_id), "") if isinstance(kinds, dict) else ""
    return PlannedRoute(
        collector_id=route.collector_id,
        stops=tuple(
            PlannedStop(
                account_id=s.account_id,
                seq=s.seq,
                eta=s.eta,
                departure=s.departure,
                expected_value=s.expected_value,
                mandatory=s.mandatory,
                locked=s.locked,
                explain=s.explain,
            )
            for s in route.stops
        ),
        travel_seconds=route.travel_seconds,
        expected_value=route.expected_value,
        path=path,
        on_roads=kind if kind in ON_ROADS else "",
    )


def store_plan(
    session: Session, draft: PlanDraft, *, job_id: uuid.UUID | None, created_by: int | None
) -> Plan:
    """Add ``draft`` as the next draft version of its station's day (caller commits).

    The one writer of a plan's routes and stops: re-plans and edits store through it.

    ``plan.job_id`` is unique: a second write for the same job fails with an
    ``IntegrityError`` instead of producing a second plan.
    """
    lock_station_day(session, draft.station_id, draft.plan_date)
    lines, kinds = route_lines(session, draft)
    draft.summary["route_geometry"] = kinds
    version = session.scalar(
        select(func.coalesce(func.max(Plan.version), 0) + 1).where(
            Plan.station_id == draft.station_id, Plan.plan_date == draft.plan_date
        )
    )
    plan = Plan(
        station_id=draft.station_id,
        plan_date=draft.plan_date,
        version=version,
        status=PlanStatus.DRAFT,
        job_id=job_id,
        created_by=created_by,
        summary=draft.summary,
    )
    session.add(plan)
    session.flush()
    for r, line in zip(draft.routes, lines, strict=True):
        route = Route(
            plan_id=plan.id,
            collector_id=r.collector_id,
            travel_seconds=r.travel_seconds,
            expected_value=r.expected_value,
            path=_linestring(line),
        )
        session.add(route)
        session.flush()
        session.add_all(
            Stop(
                route_id=route.id,
                account_id=s.account_id,
                seq=s.seq,
                eta=s.eta,
                departure=s.departure,
                expected_value=s.expected_value,
                mandatory=s.mandatory,
                locked=s.locked,
                explain=s.explain,
            )
            for s in r.stops
        )
    session.flush()
    return plan


def publish_plan(
    session: Session,
    plan: Plan,
    *,
    actor_id: int | None = None,
    override_reason: str | None = None,
) -> Plan:
    """Publish ``plan``; the station day's previously published plan becomes superseded.

    A version the plan check found infeasible is published only with ``override_reason``
    (else :class:`PlanConflict` carrying the check); each publication is recorded with the
    verdict and the reason (``plan_publication``). Publishing a published plan again
    changes nothing. Raises :class:`PlanConflict` for a superseded plan. The caller commits.
    """
    lock_station_day(session, plan.station_id, plan.plan_date)
    session.refresh(plan)
    if plan.status is PlanStatus.PUBLISHED:
        return plan
    if plan.status is PlanStatus.SUPERSEDED:
        raise PlanConflict("A superseded plan cannot be published again; re-plan instead.")
    check = (plan.summary or {}).get("check")
    verdict = check if isinstance(check, dict) else {}
    if verdict.get("feasible") is False and not override_reason:
        raise PlanConflict(
            f"The plan check found {verdict.get('violations')} violations in this version: "
            "fix the routes, or publish with an override_reason.",
            extra={"check": verdict},
        )
    session.add(
        PlanPublication(
            plan_id=plan.id,
            actor_id=actor_id,
            feasible=verdict.get("feasible"),
            violations=verdict.get("violations"),
            override_reason=override_reason if verdict.get("feasible") is False else None,
        )
    )
    session.execute(
        update(Plan)
        .where(
            Plan.station_id == plan.station_id,
            Plan.plan_date == plan.plan_date,
            Plan.status == PlanStatus.PUBLISHED,
            Plan.id != plan.id,
        )
        .values(status=PlanStatus.SUPERSEDED)
    )
    plan.status = PlanStatus.PUBLISHED
    plan.published_at = session.scalar(select(func.now()))
    session.flush()
    return plan
