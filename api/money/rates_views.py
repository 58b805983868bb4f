"""Late-fee rate versions: list them, add a station's own (never retroactively)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required

from api.auth.jwt import current_scope
from api.db import get_session
from api.money.schemas import RateArgs, RateSchema
from api.money.views import blp
from core.money import rates


@blp.route("/money/rates")
class Rates(MethodView):
    @jwt_required()
    @blp.arguments(RateArgs, location="query")
    @blp.response(200, RateSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """National rate versions and, with ``station_id``, that station's own ones."""
        return rates.rate_versions(get_session(), current_scope(), args.get("station_id"))

    @jwt_required()
    @blp.arguments(RateSchema)
    @blp.response(201, RateSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Add a rate version from a future date (supervisors: their station; admins: any)."""
        session = get_session()
        rate = rates.add_rate_version(session, current_scope(), body)
        session.commit()
        return rate
