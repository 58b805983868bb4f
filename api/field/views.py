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
from api.errors import not_found
from api.field import service
from api.field.schemas import FieldRouteSchema, RouteDayArgs
from api.smorest import Blueprint
from geo.models import Station

blp = Blueprint("field", __name__, url_prefix="/api", description="The collector's day")


def _today(route_station: Station | None) -> dt.date:
    tz = route_station.timezone if route_station else current_app.config["DEFAULT_TIMEZONE"]
    return dt.datetime.now(ZoneInfo(tz)).date()


@blp.route("/me/route")
class MyRoute(MethodView):
    @jwt_required()
    @blp.etag
    @blp.arguments(RouteDayArgs, location="query")
    @blp.response(200, FieldRouteSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """My route in the day's published plan: stops in order with what is owed today."""
        scope = current_scope()
        session = get_session()
        day = args["date"]
        if day is None:
            stations = sorted(scope.station_ids)
            day = _today(session.get(Station, stations[0]) if stations else None)
        route = service.find_route(session, scope, scope.user_id, day)
        if route is None:
            raise not_found("published route for this day")
        return service.field_route(session, route, day)


@blp.route("/routes/<int:route_id>")
class RouteById(MethodView):
    @jwt_required()
    @blp.etag
    @blp.response(200, FieldRouteSchema)
    def get(self, route_id: int) -> Any:
        """A route with its stops; collectors see only their own published routes."""
        session = get_session()
        route = service.route_by_id(session, current_scope(), route_id)
        if route is None:
            raise not_found("route")
        return service.field_route(session, route, route.plan.plan_date)
