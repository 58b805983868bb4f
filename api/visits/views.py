"""Visits from the collector's phone: one at a time or as an offline batch."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import ValidationError

from api.auth.jwt import current_scope
from api.batch import BatchOutSchema, batch_answer
from api.db import get_session
from api.smorest import Blueprint
from api.visits.schemas import VisitBatchSchema, VisitResultSchema, VisitSchema
from core.field import visits as service
from core.scope import Scope, require_collector

blp = Blueprint("visits", __name__, url_prefix="/api/visits", description="Door-to-door visits")


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


@blp.route("")
class Visits(MethodView):
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
