"""Money endpoints: thin views over :mod:`core.money`; the money blueprint lives here.

Every view runs one transaction: the service flushes, the view commits. Routes of the
sibling ``*_views`` modules attach to this module's blueprint (imported at the end).
"""

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
from api.money.schemas import (
    AmountDueSchema,
    AsOfArgs,
    BatchSchema,
    PaymentOutSchema,
    PaymentSchema,
    ReversalSchema,
    due_body,
    result_body,
)
from api.smorest import Blueprint
from core.errors import Rejected
from core.models import Account, Channel, Payment, Station
from core.money import amount_due
from core.money import payments as service
from core.money import reversals as reversal_service
from core.money.qr import QrRef
from core.scope import Scope, find_scoped, require_staff

blp = Blueprint(
    "money",
    __name__,
    url_prefix="/api",
    description="Money: amount due, payments exactly once, reversals, cash custody, audit",
)

_STATUS_CODE = {
    service.Status.CREATED: 201,
    service.Status.REPLAYED: 200,
    service.Status.QUARANTINED: 202,
}


def _input(body: dict[str, Any]) -> service.PaymentInput:
    return service.PaymentInput(
        id=body["id"],
        account_id=body["account_id"],
        amount=body["amount"],
        channel=body["channel"],
        collected_at=body["collected_at"],
        device_id=body.get("device_id"),
        bill_ids=tuple(body.get("bill_ids") or ()),
        receipt_no=body.get("receipt_no"),
        confirm_amount=body.get("confirm_amount", False),
        qr_ref=_qr_ref(body.get("qr_ref")),
    )


def _qr_ref(raw: dict[str, Any] | None) -> QrRef | None:
    return None if raw is None else QrRef(Channel(raw["channel"]), raw["txn_id"])


def backdate_window() -> dt.timedelta | None:
    """How old hand-recorded money may be and still be allocated as of its day
    (``PAYMENT_BACKDATE_DAYS``; 0 or less: only the cash-count check)."""
    days = int(current_app.config["PAYMENT_BACKDATE_DAYS"])
    return dt.timedelta(days=days) if days > 0 else None


@blp.route("/payments")
class Payments(MethodView):
    @jwt_required()
    @blp.arguments(PaymentSchema)
    @blp.response(201, PaymentOutSchema)
    @blp.alt_response(200, schema=PaymentOutSchema, description="A replay: the stored result")
    @blp.alt_response(202, schema=PaymentOutSchema, description="Quarantined for a supervisor")
    def post(self, body: dict[str, Any]) -> Any:
        """Record a payment exactly once (the client mints its id; a resend is a replay)."""
        session = get_session()
        result = service.record_payment(
            session, current_scope(), _input(body), backdate_window=backdate_window()
        )
        session.commit()
        return result_body(result), _STATUS_CODE[result.status]


@blp.route("/payments/batch")
class PaymentBatch(MethodView):
    @jwt_required()
    @blp.arguments(BatchSchema)
    @blp.response(200, BatchOutSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Upload up to 200 payments; each item is created, replayed, rejected or quarantined."""
        session = get_session()
        scope = current_scope()
        return batch_answer(
            [_batch_item(session, scope, index, raw) for index, raw in enumerate(body["items"])]
        )


def _batch_item(session: Any, scope: Scope, index: int, raw: Any) -> dict[str, Any]:
    item_id = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") is not None else None
    try:
        if not isinstance(raw, dict):
            raise ValidationError({"_schema": ["An item is a JSON object."]})
        data = PaymentSchema().load(raw)
    except ValidationError as error:
        return {
            "index": index,
            "id": item_id,
            "status": "rejected",
            "reason": "invalid",
            "errors": error.normalized_messages(),
        }
    result = service.record_item(session, scope, _input(data), backdate_window=backdate_window())
    session.commit()
    if isinstance(result, Rejected):
        return {"index": index, "id": item_id, "status": "rejected", "reason": result.code}
    receipt = result.payment.receipt_no if result.payment is not None else None
    reason = result.quarantine.reason if result.quarantine is not None else None
    status = result.status.value
    return {
        "index": index,
        "id": item_id,
        "status": status,
        "reason": reason,
        "receipt_no": receipt,
    }


@blp.route("/payments/<uuid:payment_id>")
class PaymentById(MethodView):
    @jwt_required()
    @blp.response(200, PaymentOutSchema)
    def get(self, payment_id: uuid.UUID) -> Any:
        """One payment or reversal with its allocations, if it is in the caller's scope."""
        session = get_session()
        payment = find_scoped(session, Payment, payment_id, current_scope(), "payment")
        return result_body(service.stored_result(session, payment))


@blp.route("/payments/<uuid:payment_id>/reversal")
class PaymentReversal(MethodView):
    @jwt_required()
    @blp.arguments(ReversalSchema)
    @blp.response(201, PaymentOutSchema)
    @blp.alt_response(200, schema=PaymentOutSchema, description="A replay: the stored reversal")
    def post(self, body: dict[str, Any], payment_id: uuid.UUID) -> Any:
        """Reverse a payment (supervisors): negative allocations; each payment at most once."""
        session = get_session()
        scope = current_scope()
        require_staff(scope)
        result = reversal_service.reverse_payment(
            session,
            scope,
            payment_id,
            reversal_service.ReversalInput(body["id"], body["reason"], body.get("device_id")),
        )
        session.commit()
        return result_body(result), _STATUS_CODE[result.status]


@blp.route("/arrears/<int(max=2147483647):account_id>")
class AccountArrears(MethodView):
    @jwt_required()
    @blp.arguments(AsOfArgs, location="query")
    @blp.response(200, AmountDueSchema)
    def get(self, args: dict[str, Any], account_id: int) -> Any:
        """What an account owes on a date (default: today at its station), aged and staged."""
        session = get_session()
        account = find_scoped(session, Account, account_id, current_scope(), "account")
        as_of = args.get("as_of")
        if as_of is None:
            station = session.get(Station, account.station_id)
            assert station is not None
            as_of = dt.datetime.now(ZoneInfo(station.timezone)).date()
        return due_body(amount_due(session, account.id, as_of))


# Routes defined in sibling modules attach to the same blueprint.
from api.money import (  # noqa: E402, F401
    admin_views,
    arrears_views,
    cash_views,
    channel_views,
    rates_views,
)
