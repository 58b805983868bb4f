"""Bulk reassignment and the day-D responsibility query."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import RAISE

from api.accounts.schemas import ResponsibilitySchema
from api.auth.jwt import current_scope
from api.db import get_session
from api.pagination import keyset_page
from api.responsibility.schemas import OnDayArgs, ReassignRequest, ReassignResult
from api.smorest import Blueprint
from core.accounts import reassign as service
from core.models import AccountResponsibility

blp = Blueprint(
    "responsibility", __name__, url_prefix="/api/responsibility", description="Responsibility"
)


@blp.route("/reassign")
class Reassign(MethodView):
    @jwt_required()
    @blp.arguments(ReassignRequest)
    @blp.response(200, ReassignResult)
    def post(self, body: dict[str, Any]) -> Any:
        """Give accounts (by territory, ids or polygon) to a collector from a date; idempotent."""
        session = get_session()
        result, effective = service.bulk_reassign(session, current_scope(), body)
        session.commit()
        return {
            "collector_id": body["collector_id"],
            "effective": effective,
            "changed": result.changed,
            "unchanged": result.unchanged,
        }


@blp.route("")
class OnDay(MethodView):
    @jwt_required()
    @blp.arguments(OnDayArgs, location="query", unknown=RAISE)
    @blp.response(200, ResponsibilitySchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Who was responsible for which account on local date ``on`` (keyset pages)."""
        stmt = service.responsible_on_day(current_scope(), args["on"], args.get("collector_id"))
        return keyset_page(get_session(), stmt, AccountResponsibility.id, args)
