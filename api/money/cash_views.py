"""Cash custody endpoints: handovers, daily reconciliations, a collector's cash in hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import jwt_required
from sqlalchemy import select

from api.auth.jwt import current_scope
from api.db import get_session
from api.money.cash_schemas import (
    CashEventSchema,
    CountSchema,
    HandoverSchema,
    PositionSchema,
    ReconciliationListArgs,
    ReconciliationSchema,
)
from api.money.views import blp
from core.errors import NotFound
from core.models import Station, User
from core.models.ledger_extra import CashReconciliation
from core.money import cash
from core.money.custody import window
from core.scope import Scope, get_scoped, require_staff


@blp.route("/cash/handovers")
class Handovers(MethodView):
    @jwt_required()
    @blp.arguments(HandoverSchema)
    @blp.response(201, CashEventSchema)
    @blp.alt_response(200, schema=CashEventSchema, description="A replay: the stored handover")
    def post(self, body: dict[str, Any]) -> Any:
        """Record cash a collector hands over (supervisors); never more than they hold."""
        session = get_session()
        scope = current_scope()
        require_staff(scope)
        event, replay = cash.record_handover(session, scope, cash.HandoverInput(**body))
        session.commit()
        out = {
            "id": event.id,
            "kind": event.kind,
            "collector_id": event.collector_id,
            "station_id": event.station_id,
            "amount": event.amount,
            "occurred_at": event.occurred_at,
            "business_date": event.business_date,
            "replay": replay,
        }
        return out, 200 if replay else 201


@blp.route("/cash/reconciliations")
class Reconciliations(MethodView):
    @jwt_required()
    @blp.arguments(ReconciliationListArgs, location="query")
    @blp.response(200, ReconciliationSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """The day's reconciliations at the caller's stations (a collector: their own)."""
        scope = current_scope()
        session = get_session()
        day = args["business_date"] or _station_today(session, scope)
        stmt = select(CashReconciliation).where(CashReconciliation.business_date == day)
        if scope.is_collector:
            stmt = stmt.where(CashReconciliation.collector_id == scope.user_id)
        elif not scope.is_admin:
            stmt = stmt.where(CashReconciliation.station_id.in_(scope.station_ids))
        rows = session.scalars(stmt.order_by(CashReconciliation.collector_id))
        return [{**_columns(r), "quarantined": None, "replay": False} for r in rows]

    @jwt_required()
    @blp.arguments(CountSchema)
    @blp.response(201, ReconciliationSchema)
    @blp.alt_response(200, schema=ReconciliationSchema, description="A replay: the stored report")
    def post(self, body: dict[str, Any]) -> Any:
        """Close a collector's day: expected vs counted; the variance becomes its own entry."""
        session = get_session()
        scope = current_scope()
        require_staff(scope)
        report = cash.reconcile(session, scope, cash.CountInput(**body))
        session.commit()
        return asdict(report), 200 if report.replay else 201


@blp.route("/cash/collectors/<int(max=2147483647):collector_id>")
class Position(MethodView):
    @jwt_required()
    @blp.response(200, PositionSchema)
    def get(self, collector_id: int) -> Any:
        """Cash a collector should hold now: last count plus all since; own or staff."""
        session = get_session()
        user = get_scoped(session, User, collector_id, current_scope())
        if user is None or not user.stations:
            raise NotFound("collector")
        w = window(session, user.id, min(user.stations, key=lambda s: s.id).timezone)
        return {"collector_id": user.id, **asdict(w), "in_hand": w.in_hand}


def _station_today(session: Any, scope: Scope) -> dt.date:
    """Today at the caller's (first) station, or in the default zone without one."""
    station = session.get(Station, min(scope.station_ids)) if scope.station_ids else None
    tz = station.timezone if station is not None else current_app.config["DEFAULT_TIMEZONE"]
    return dt.datetime.now(ZoneInfo(tz)).date()


def _columns(r: CashReconciliation) -> dict[str, Any]:
    names = ("id", "collector_id", "business_date", "opening", "collected", "reversed")
    more = ("handed_over", "expected", "counted", "variance")
    return {n: getattr(r, n) for n in names + more}
