"""Supervisor views of money: exceptions (overpayments, quarantine), releases, audit trail."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from sqlalchemy import select, true

from api.auth.jwt import current_scope
from api.db import get_session
from api.money.schemas import AuditArgs, AuditSchema, ExceptionSchema, PaymentOutSchema, result_body
from api.money.views import blp
from core.models import Payment
from core.models.ledger_extra import MoneyAudit, MoneyException, QuarantinedPayment
from core.money import quarantine
from core.scope import Scope, require_staff


def _stations(column: Any, scope: Scope) -> Any:
    return true() if scope.is_admin else column.in_(scope.station_ids)


@blp.route("/money/exceptions")
class Exceptions(MethodView):
    @jwt_required()
    @blp.response(200, ExceptionSchema(many=True))
    def get(self) -> Any:
        """Overpayments and unreleased quarantined uploads at the caller's stations."""
        session = get_session()
        scope = current_scope()
        require_staff(scope)
        over = session.scalars(
            select(MoneyException)
            .where(_stations(MoneyException.station_id, scope))
            .order_by(MoneyException.id)
            .limit(500)
        )
        released = select(Payment.id).where(Payment.id == QuarantinedPayment.id).exists()
        held = session.scalars(
            select(QuarantinedPayment)
            .where(_stations(QuarantinedPayment.station_id, scope), ~released)
            .order_by(QuarantinedPayment.recorded_at)
            .limit(500)
        )
        items: list[dict[str, Any]] = [
            {
                "kind": e.kind,
                "id": str(e.payment_id),
                "account_id": e.account_id,
                "station_id": e.station_id,
                "amount": e.amount,
                "detail": e.detail,
                "created_at": e.created_at,
            }
            for e in over
        ]
        items += [
            {
                "kind": "quarantine",
                "id": str(q.id),
                "account_id": q.account_id,
                "station_id": q.station_id,
                "amount": q.amount,
                "detail": q.reason,
                "collector_id": q.collector_id,
                "created_at": q.recorded_at,
            }
            for q in held
        ]
        return items


@blp.route("/money/quarantine/<uuid:quarantine_id>/release")
class Release(MethodView):
    @jwt_required()
    @blp.response(201, PaymentOutSchema)
    @blp.alt_response(200, schema=PaymentOutSchema, description="Already released")
    def post(self, quarantine_id: uuid.UUID) -> Any:
        """Release a quarantined upload into the ledger as the collector's payment."""
        session = get_session()
        scope = current_scope()
        require_staff(scope)
        result = quarantine.release(session, scope, quarantine_id)
        session.commit()
        return result_body(result), 200 if result.replay else 201


@blp.route("/money/audit")
class Audit(MethodView):
    @jwt_required()
    @blp.arguments(AuditArgs, location="query")
    @blp.response(200, AuditSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """The money audit trail at the caller's stations, newest first."""
        session = get_session()
        scope = current_scope()
        require_staff(scope)
        stmt = select(MoneyAudit).where(_stations(MoneyAudit.station_id, scope))
        if args.get("entity_id") is not None:
            stmt = stmt.where(MoneyAudit.entity_id == args["entity_id"])
        if args.get("account_id") is not None:
            stmt = stmt.where(MoneyAudit.account_id == args["account_id"])
        return list(session.scalars(stmt.order_by(MoneyAudit.id.desc()).limit(args["limit"])))
