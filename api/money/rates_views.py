"""Late-fee rate versions: list them, add a station's own (never retroactively)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.auth.jwt import current_scope
from api.db import get_session
from api.errors import Problem
from api.money.blueprint import blp, require_staff
from api.money.records import audit_rate
from api.money.schemas import RateArgs, RateSchema
from geo.models import Station
from geo.models.ledger_extra import LateFeeRate


@blp.route("/money/rates")
class Rates(MethodView):
    @jwt_required()
    @blp.arguments(RateArgs, location="query")
    @blp.response(200, RateSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """National rate versions and, with ``station_id``, that station's own ones."""
        scope = current_scope()
        stmt = select(LateFeeRate).where(LateFeeRate.station_id.is_(None))
        station_id = args.get("station_id")
        if station_id is not None and (scope.is_admin or station_id in scope.station_ids):
            stmt = select(LateFeeRate).where(
                LateFeeRate.station_id.is_(None) | (LateFeeRate.station_id == station_id)
            )
        order = (LateFeeRate.station_id.nulls_first(), LateFeeRate.effective_from)
        return list(get_session().scalars(stmt.order_by(*order)))

    @jwt_required()
    @blp.arguments(RateSchema)
    @blp.response(201, RateSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Add a rate version from a future date (supervisors: their station; admins: any)."""
        scope = current_scope()
        require_staff(scope)
        session = get_session()
        station_id = body["station_id"]
        if station_id is None and not scope.is_admin:
            raise Problem(403, "Only admins change the national rates.")
        if station_id is not None and not (scope.is_admin or station_id in scope.station_ids):
            raise Problem(404, "No such station.")
        station = session.get(Station, station_id) if station_id is not None else None
        if station_id is not None and station is None:
            raise Problem(404, "No such station.")
        today = dt.datetime.now(ZoneInfo(station.timezone if station else "Asia/Shanghai")).date()
        if body["effective_from"] <= today:
            raise Problem(
                422,
                "A rate version takes effect from a future date: amounts already due stay put.",
                errors={"json": {"effective_from": ["Must be after today."]}},
            )
        rate = LateFeeRate(**body)
        session.add(rate)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            raise Problem(409, "A version with this start date already exists.") from None
        audit_rate(session, rate, scope.user_id)
        session.commit()
        return rate
