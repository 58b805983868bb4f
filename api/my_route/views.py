"""The collector's phone API: today's published route, ETag-cached for flaky networks."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import jwt_required

from api.auth.jwt import current_scope
from api.db import get_session
from api.my_route.schemas import FieldRouteSchema, ReplanSchema, RouteDayArgs
from api.plans import tasks
from api.plans.schemas import PlanJobSchema
from api.ratelimit import rate_limit
from api.route_cache import cached_document, caller_today, day_document_guess, read_with_token
from api.smorest import Blueprint
from core.errors import NotFound
from core.field import route as service
from core.models import Station
from core.planning import submit_replan
from core.scope import require_collector

blp = Blueprint("field", __name__, url_prefix="/api", description="The collector's day")


def _today(route_station: Station | None) -> dt.date:
    tz = route_station.timezone if route_station else current_app.config["DEFAULT_TIMEZONE"]
    return dt.datetime.now(ZoneInfo(tz)).date()


@blp.route("/me/route")
class MyRoute(MethodView):
    @read_with_token(day_document_guess("route"))
    @jwt_required()
    @blp.arguments(RouteDayArgs, location="query")
    @blp.response(200, FieldRouteSchema)
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    def get(self, args: dict[str, Any]) -> Any:
        """My route in the day's published plan: stops in order with what is owed today.

        Built once and served from the route cache until something it shows changes; the
        ETag names that version, so a revalidation answers 304 without building it."""
        scope = current_scope()
        day = _my_day(scope, args["date"])

        def build() -> Any:  # the session only when built: a cached answer runs no SQL
            session = get_session()
            route = service.find_route(session, scope, scope.user_id, day)
            if route is None:
                raise NotFound("published route for this day")
            return FieldRouteSchema().dump(service.field_route(session, scope, route, day))

        return cached_document("route", scope, day, "", build)


def _my_day(scope: Any, day: dt.date | None) -> dt.date:
    return day or caller_today(get_session(), scope, current_app.config["DEFAULT_TIMEZONE"])


@blp.route("/me/route/replan")
class ReplanMyRoute(MethodView):
    @jwt_required()
    @blp.arguments(ReplanSchema)
    @blp.response(202, PlanJobSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Re-plan the rest of my day from here: done stops kept, paid accounts dropped."""
        scope = current_scope()
        require_collector(scope, "Only collectors re-plan their own day.")
        rate_limit("replan", scope.user_id)
        session = get_session()
        day = _my_day(scope, body["date"])
        job = submit_replan(
            session, scope, day, position=(body["lon"], body["lat"]), time_limit=body["time_limit"]
        )
        session.commit()
        tasks.enqueue(job.id)
        return job, 202, {"Location": f"/api/jobs/{job.id}"}


@blp.route("/routes/<int(max=2147483647):route_id>")
class RouteById(MethodView):
    @jwt_required()
    @blp.etag
    @blp.response(200, FieldRouteSchema)
    def get(self, route_id: int) -> Any:
        """A route with its stops; collectors see only their own published routes."""
        session = get_session()
        scope = current_scope()
        route = service.route_by_id(session, scope, route_id)
        if route is None:
            raise NotFound("route")
        return service.field_route(session, scope, route, route.plan.plan_date)
