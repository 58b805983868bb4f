"""Supervisor views of money: exceptions (overpayments, quarantine), releases, audit trail."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from sqlalchemy import select, true

from api.auth.jwt import current_scope
from api.db import get_session
from api.money.schemas import (
    AuditArgs,
    AuditSchema,
    ExceptionListArgs,
    ExceptionSchema,
    PaymentOutSchema,
    ResolutionInSchema,
    RetargetSchema,
    result_body,
)
from api.money.views import blp
from api.pagination import next_page
from core.models.ledger_extra import MoneyAudit
from core.money import quarantine, review
from core.scope import Scope, require_staff


def _stations(column: Any, scope: Scope) -> Any:
    return true() if scope.is_admin else column.in_(scope.station_ids)


@blp.route("/money/exceptions")
class Exceptions(MethodView):
    @jwt_required()
    @blp.arguments(ExceptionListArgs, location="query")
    @blp.response(200, ExceptionSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Overpayments and quarantined uploads seen by the caller's stations (the uploader's
        and the account's), newest first in keyset pages (the next one's cursor in
        ``X-Next-Cursor`` and ``Link``): open ones by default, resolved ones with what
        resolved them."""
        scope = current_scope()
        require_staff(scope)
        page = quarantine.exceptions(
            get_session(), scope, args["state"], limit=args["limit"], cursor=args["cursor"]
        )
        if page.next is not None:
            next_page(page.next)
        return page.items


@blp.route("/money/exceptions/<uuid:exception_id>/resolution")
class Resolution(MethodView):
    @jwt_required()
    @blp.arguments(ResolutionInSchema)
    @blp.response(201, ExceptionSchema)
    def post(self, body: dict[str, Any], exception_id: uuid.UUID) -> Any:
        """Record how an exception ended (append-only, once, audited): credit kept, money
        refunded or returned to the payer, a duplicate. 409 once it is resolved (a release
        or a reversal resolves by itself)."""
        session = get_session()
        scope = current_scope()
        require_staff(scope)
        entry = review.resolve(session, scope, exception_id, body["action"], body["note"])
        session.commit()
        return entry


@blp.route("/money/quarantine/<uuid:quarantine_id>/release")
class Release(MethodView):
    @jwt_required()
    @blp.response(201, PaymentOutSchema)
    @blp.alt_response(200, schema=PaymentOutSchema, description="Already released")
    def post(self, quarantine_id: uuid.UUID) -> Any:
        """Release a quarantined upload into the ledger as the collector's payment (the
        station of the account it is for)."""
        session = get_session()
        scope = current_scope()
        require_staff(scope)
        result = quarantine.release(session, scope, quarantine_id)
        session.commit()
        return result_body(result), 200 if result.replay else 201


@blp.route("/money/quarantine/<uuid:quarantine_id>/retarget")
class Retarget(MethodView):
    @jwt_required()
    @blp.arguments(RetargetSchema)
    @blp.response(201, ExceptionSchema)
    def post(self, body: dict[str, Any], quarantine_id: uuid.UUID) -> Any:
        """Say which account of your station a quarantined upload was for (append-only,
        audited); that station then owns and releases it."""
        session = get_session()
        scope = current_scope()
        require_staff(scope)
        entry = quarantine.retarget(
            session, scope, quarantine_id, body["account_id"], body["reason"]
        )
        session.commit()
        return entry


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
