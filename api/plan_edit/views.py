"""Supervisor route editing: edit routes by hand, check a plan, re-optimise around locks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import jwt_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.auth.jwt import current_scope
from api.db import get_session
from api.errors import Problem
from api.plan_edit.schemas import (
    MAX_ROUTES,
    PlanCheckSchema,
    ReoptimiseJobSchema,
    ReoptimiseSchema,
    RouteEditSchema,
)
from api.plans import tasks
from api.ratelimit import rate_limit
from api.smorest import Blueprint
from core.errors import NotFound
from core.models import Plan, Route, Station
from core.planning import (
    PlanCheck,
    RouteEdit,
    check_plan,
    check_travel,
    save_edit,
    submit_reoptimise,
)
from core.scope import Scope, restrict

blp = Blueprint("plan_edit", __name__, url_prefix="/api", description="Editing and checking plans")


@dataclass(frozen=True)
class CheckAnswer:
    check: PlanCheck
    plan_id: int | None = None
    version: int | None = None
    status: str | None = None


def _editor_plan(plan_id: int, *, lock: bool = False) -> tuple[Plan, Scope]:
    """The plan if the caller is a supervisor or admin with it in scope; 404 otherwise."""
    scope = current_scope()
    if scope.is_collector:
        raise NotFound("plan")
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
    return plan, scope


def _routes(body: list[RouteEdit]) -> list[RouteEdit]:
    if len(body) > MAX_ROUTES:
        msg = f"At most {MAX_ROUTES} routes."
        raise Problem(422, msg, errors={"json": {"_schema": [msg]}})
    return body


def _checked(plan: Plan, scope: Scope, edits: list[RouteEdit]) -> PlanCheck:
    session = get_session()
    travel = check_travel(session, plan.station_id, current_app.config["TRAVEL_MATRIX"])
    return check_plan(session, scope, plan, edits, travel)


@blp.route("/plans/<int(max=2147483647):plan_id>/routes")
class PlanRoutes(MethodView):
    @jwt_required()
    @blp.arguments(RouteEditSchema(many=True))
    @blp.response(201, PlanCheckSchema)
    def put(self, body: list[RouteEdit], plan_id: int) -> Any:
        """Set routes' stops by hand; saved as the day's next draft, with its plan check."""
        plan, scope = _editor_plan(plan_id)
        check = _checked(plan, scope, _routes(body))
        session = get_session()
        new = save_edit(session, plan, check, created_by=scope.user_id)
        session.commit()
        answer = CheckAnswer(check, new.id, new.version, new.status.value)
        return answer, 201, {"Location": f"/api/plans/{new.id}"}


@blp.route("/plans/<int(max=2147483647):plan_id>/check")
class PlanCheckView(MethodView):
    @jwt_required()
    @blp.arguments(RouteEditSchema(many=True))
    @blp.response(200, PlanCheckSchema)
    def post(self, body: list[RouteEdit], plan_id: int) -> Any:
        """Dry run: the plan check of the plan with these routes changed; nothing is saved."""
        plan, scope = _editor_plan(plan_id)
        check = _checked(plan, scope, _routes(body))
        get_session().rollback()
        return CheckAnswer(check)


#: Default cap on a re-optimise's solver budget, seconds (``PLAN_REOPTIMISE_MAX_TIME_LIMIT``).
REOPTIMISE_MAX_TIME_LIMIT = 10.0


def _reoptimise_time_limit(body: dict[str, Any]) -> float:
    cap = float(current_app.config.get("PLAN_REOPTIMISE_MAX_TIME_LIMIT", REOPTIMISE_MAX_TIME_LIMIT))
    limit = float(body["time_limit"])
    if limit > cap:
        msg = f"Must be between 0.5 and {cap:g}."
        raise Problem(422, msg, errors={"json": {"time_limit": [msg]}})
    return limit


@blp.route("/plans/<int(max=2147483647):plan_id>/reoptimise")
class Reoptimise(MethodView):
    @jwt_required()
    @blp.arguments(ReoptimiseSchema)
    @blp.response(202, ReoptimiseJobSchema)
    def post(self, body: dict[str, Any], plan_id: int) -> Any:
        """Re-optimise in the background keeping locked stops first, in order; the job
        stores a new draft version. Follow the job at its Location."""
        plan, scope = _editor_plan(plan_id)
        rate_limit("plan", scope.user_id)
        time_limit = _reoptimise_time_limit(body)
        session = get_session()
        station = session.get(Station, plan.station_id)
        today = dt.datetime.now(ZoneInfo(station.timezone if station else "UTC")).date()
        job, _ = submit_reoptimise(
            session, plan, today=today, time_limit=time_limit, created_by=scope.user_id
        )
        session.commit()
        # After the commit, so a fast worker finds the row; a failed ring leaves it queued
        # for the reaper.
        tasks.enqueue(job.id)
        return job, 202, {"Location": f"/api/jobs/{job.id}"}
