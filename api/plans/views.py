"""Plans as background jobs: submit, follow the job, read and publish the plan."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import current_app, jsonify
from flask.views import MethodView
from flask_jwt_extended import jwt_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.auth.jwt import current_scope
from api.db import get_session
from api.plans import tasks
from api.plans.schemas import (
    CompactPlanSchema,
    PlanBriefSchema,
    PlanJobSchema,
    PlanListArgs,
    PlanReadArgs,
    PlanRequestSchema,
    PlanSchema,
    PublishSchema,
)
from api.ratelimit import rate_limit
from api.smorest import Blueprint
from core.errors import NotFound
from core.models import Job, Plan, Route, Station
from core.planning import publish_plan, submit_plan_job
from core.planning.unassigned import actionable
from core.scope import Scope, get_scoped, require_staff, restrict

blp = Blueprint("plans", __name__, url_prefix="/api", description="Daily plans")
jobs_blp = Blueprint(
    "jobs", __name__, url_prefix="/api/jobs", description="Background jobs", cli_group="jobs"
)


@blp.record_once
def _wire_celery(state: Any) -> None:
    tasks.init_beat(state.app.extensions["celery"])


def _planner_scope() -> Scope:
    scope = current_scope()
    require_staff(scope, "Only supervisors and admins plan and publish.")
    return scope


def _station_today(station: Station) -> dt.date:
    return dt.datetime.now(ZoneInfo(station.timezone)).date()


@blp.route("/stations/<int(max=2147483647):station_id>/plans")
class StationPlans(MethodView):
    @jwt_required()
    @blp.arguments(PlanRequestSchema)
    @blp.response(202, PlanJobSchema)
    def post(self, body: dict[str, Any], station_id: int) -> Any:
        """Plan a station's day in the background; follow the job at its Location (409 with
        the running job while one is queued or running for the day)."""
        scope = _planner_scope()
        rate_limit("plan", scope.user_id)
        session = get_session()
        station = get_scoped(session, Station, station_id, scope)
        if station is None:
            raise NotFound("station")
        job = submit_plan_job(
            session,
            station_id=station.id,
            plan_date=body["date"],
            today=_station_today(station),
            collector_ids=body.get("collector_ids"),
            time_limit=body["time_limit"],
            created_by=scope.user_id,
            extra={"include_absent": sorted(set(body["include_absent"]))}
            if body["include_absent"]
            else None,
        )
        session.commit()
        # After the commit, so a fast worker finds the row; a failed ring leaves it queued.
        tasks.enqueue(job.id)
        return job, 202, {"Location": f"/api/jobs/{job.id}"}

    @jwt_required()
    @blp.arguments(PlanListArgs, location="query")
    @blp.response(200, PlanBriefSchema(many=True))
    def get(self, args: dict[str, Any], station_id: int) -> Any:
        """The versions of a station's plan for one day, newest first."""
        scope = _planner_scope()
        session = get_session()
        station = get_scoped(session, Station, station_id, scope)
        if station is None:
            raise NotFound("station")
        day = args["date"] or _station_today(station)
        stmt = restrict(
            select(Plan).where(Plan.station_id == station_id, Plan.plan_date == day),
            Plan,
            scope,
        ).order_by(Plan.version.desc())
        return session.scalars(stmt).all()


def _plan_for_planner(plan_id: int) -> Plan:
    scope = _planner_scope()
    stmt = restrict(
        select(Plan)
        .where(Plan.id == plan_id)
        .options(selectinload(Plan.routes).selectinload(Route.stops)),
        Plan,
        scope,
    )
    plan: Plan | None = get_session().scalars(stmt).one_or_none()
    if plan is None:
        raise NotFound("plan")
    return plan


class _PlanAnswer:
    """A plan as answered: its summary's unassigned entries made actionable (territory,
    responsible and eligible collectors); a compact one counts them by reason instead and
    leaves out the value model."""

    def __init__(self, plan: Plan, *, compact: bool = False) -> None:
        self._plan = plan
        summary: dict[str, Any] = dict(plan.summary or {})
        unassigned = summary.get("unassigned") or []
        if compact:  # a list view: how many are left out and why, not each of them
            summary.pop("value_model", None)
            summary.pop("unassigned", None)
            summary["unassigned_counts"] = dict(Counter(str(u["reason"]) for u in unassigned))
        else:
            summary["unassigned"] = actionable(get_session(), unassigned)
        self.summary = summary

    def __getattr__(self, name: str) -> Any:
        return getattr(self._plan, name)


@blp.route("/plans/<int(max=2147483647):plan_id>")
class PlanById(MethodView):
    @jwt_required()
    @blp.arguments(PlanReadArgs, location="query")
    @blp.response(200, PlanSchema)
    def get(self, args: dict[str, Any], plan_id: int) -> Any:
        """A plan with its routes, stops, the check's verdict and the unassigned accounts
        with reasons, territory and collectors; compact=true for list views."""
        plan = _plan_for_planner(plan_id)
        if args["compact"]:  # another shape than the decorator's: answered as it is
            return jsonify(CompactPlanSchema().dump(_PlanAnswer(plan, compact=True)))
        return _PlanAnswer(plan)


@blp.route("/plans/<int(max=2147483647):plan_id>/publish")
class PublishPlan(MethodView):
    @jwt_required()
    @blp.arguments(PublishSchema, required=False)
    @blp.response(200, PlanSchema)
    def post(self, body: dict[str, Any], plan_id: int) -> Any:
        """Publish a draft; the day's previously published plan becomes superseded. A
        version the plan check found infeasible needs an override_reason (else 409 with
        the check's findings); every publication is recorded."""
        scope = current_scope()
        plan = _plan_for_planner(plan_id)
        session = get_session()
        publish_plan(
            session,
            plan,
            actor_id=scope.user_id,
            override_reason=(body or {}).get("override_reason"),
        )
        session.commit()
        return _PlanAnswer(plan)


@jobs_blp.route("/<uuid:job_id>")
class JobById(MethodView):
    @jwt_required()
    @jobs_blp.response(200, PlanJobSchema)
    def get(self, job_id: uuid.UUID) -> Any:
        """A background job's state: queued, running, done (with its result) or failed."""
        job = get_scoped(get_session(), Job, job_id, current_scope())
        if job is None:
            raise NotFound("job")
        return job


@jobs_blp.cli.command("reap")
@click.option("--stale-queued", default=60.0, help="Re-enqueue jobs queued this many seconds")
def reap_command(stale_queued: float) -> None:
    """Re-queue jobs whose lease expired, fail those out of attempts, re-enqueue queued ones."""
    report = tasks.reap_and_enqueue(
        current_app.extensions["db_sessionmaker"], tasks.enqueue, stale_queued
    )
    click.echo(
        f"requeued {len(report.requeued)}, failed {len(report.failed)}, "
        f"enqueued {len(report.to_enqueue)}"
    )
