"""Visits from the collector's phone: one at a time or as an offline batch."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import ValidationError

from api.auth.jwt import current_scope
from api.batch import BatchOutSchema, batch_answer
from api.db import get_session
from api.errors import Problem
from api.headers import after_this_request_headers
from api.smorest import Blueprint
from api.visits.log_schemas import (
    VisitFeatureCollectionSchema,
    VisitLogArgs,
    VisitLogSchema,
    visit_feature,
)
from api.visits.schemas import VisitBatchSchema, VisitResultSchema, VisitSchema
from core.field import visits as service
from core.field.visit_log import VisitFilter, VisitRow, visit_log
from core.scope import Scope, require_collector

blp = Blueprint("visits", __name__, url_prefix="/api/visits", description="Door-to-door visits")
geojson_blp = Blueprint(
    "visits_geojson", __name__, url_prefix="/api", description="Door-to-door visits on a map"
)


def _collector(scope: Scope) -> int:
    return require_collector(scope, "Only collectors record visits.")


def _input(body: dict[str, Any]) -> service.VisitInput:
    fix = body.get("fix")
    return service.VisitInput(
        id=body["id"],
        account_id=body["account_id"],
        outcome=body["outcome"],
        device_time=body["device_time"],
        promise_date=body["promise_date"],
        fix=service.Fix(fix["lon"], fix["lat"], fix["accuracy_m"], fix["crs"]) if fix else None,
        notes=body["notes"],
        device_id=body["device_id"],
    )


def _result(index: int, result: service.VisitResult) -> dict[str, Any]:
    return {
        "index": index,
        "id": str(result.id),
        "status": result.status.value,
        "reason": result.reason,
        "errors": result.errors,
    }


def log_filter(args: dict[str, Any]) -> VisitFilter:
    """The filter of a visit log query (default: the last 7 station-local days)."""
    today = dt.datetime.now(ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])).date()
    date_to = args["date_to"] or today
    return VisitFilter(
        date_from=args["date_from"] or date_to - dt.timedelta(days=6),
        date_to=date_to,
        station_id=args["station_id"],
        collector_id=args["collector_id"],
        territory_id=args["territory_id"],
        village=args["village"],
        account_id=args["account_id"],
        outcomes=tuple(args["outcome"]),
        plan_id=args["plan_id"],
        route_id=args["route_id"],
        flagged=args["flagged"],
    )


def _cursor(raw: str | None) -> tuple[dt.datetime, uuid.UUID] | None:
    if raw is None:
        return None
    try:
        when, _, key = raw.partition(",")
        at = dt.datetime.fromisoformat(when)
        if at.tzinfo is None:
            raise ValueError(when)
        return at, uuid.UUID(key)
    except ValueError:
        msg = "Malformed: use the X-Next-Cursor of the previous page."
        raise Problem(422, msg, errors={"query": {"cursor": [msg]}}) from None


def _log_page(args: dict[str, Any]) -> list[VisitRow]:
    rows, cursor = visit_log(
        get_session(),
        current_scope(),
        log_filter(args),
        limit=args["limit"],
        after=_cursor(args["cursor"]),
    )
    if cursor is not None:
        after_this_request_headers({"X-Next-Cursor": f"{cursor[0].isoformat()},{cursor[1]}"})
    return rows


@blp.route("")
class Visits(MethodView):
    @jwt_required()
    @blp.arguments(VisitLogArgs, location="query")
    @blp.response(200, VisitLogSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """The visit log, newest first: each visit with its stop, fix and distance check.

        Collectors see their own visits, supervisors their station's. A fix farther from
        the account than the station's ``visit_flag_distance_m`` is ``flagged``. The next
        page's cursor is in the ``X-Next-Cursor`` header.
        """
        return _log_page(args)

    @jwt_required()
    @blp.arguments(VisitSchema)
    @blp.response(201, VisitResultSchema)
    @blp.alt_response(200, schema=VisitResultSchema, description="A replay of a stored visit")
    def post(self, body: dict[str, Any]) -> Any:
        """Record one visit (exactly once: a replay answers 200 with status replayed)."""
        collector = _collector(current_scope())
        session = get_session()
        result = service.record_one_visit(session, collector, _input(body))
        session.commit()
        return _result(0, result), (201 if result.status is service.VisitStatus.CREATED else 200)


@geojson_blp.route("/visits.geojson")
class VisitsGeoJSON(MethodView):
    @jwt_required()
    @geojson_blp.arguments(VisitLogArgs, location="query")
    @geojson_blp.response(200, VisitFeatureCollectionSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """The visit log as a GeoJSON FeatureCollection of fixes ([lon, lat]; null if none)."""
        return {
            "type": "FeatureCollection",
            "features": [visit_feature(r) for r in _log_page(args)],
        }


@blp.route("/batch")
class VisitBatch(MethodView):
    @jwt_required()
    @blp.arguments(VisitBatchSchema)
    @blp.response(200, BatchOutSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Upload visits recorded offline; each item is created, replayed or rejected alone."""
        collector = _collector(current_scope())
        session = get_session()
        items = []
        for index, raw in enumerate(body["items"]):
            try:
                if not isinstance(raw, dict):
                    raise ValidationError({"_schema": ["An item is a JSON object."]})
                item = VisitSchema().load(raw)
            except ValidationError as err:
                raw_id = raw.get("id") if isinstance(raw, dict) else None
                items.append(
                    {
                        "index": index,
                        "id": str(raw_id) if raw_id is not None else None,
                        "status": "rejected",
                        "reason": service.INVALID,
                        "errors": err.normalized_messages(),
                    }
                )
                continue
            items.append(_result(index, service.record_visit(session, collector, _input(item))))
        session.commit()
        return batch_answer(items)
