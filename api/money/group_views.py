"""Group customers (集团客户): the group's accounts and total due, group payments once.

- ``GET  /api/groups/{code}?as_of=``   accounts in scope, what each owes, group credit
- ``POST /api/groups/{code}/payments`` 201 created | 200 replay | 422 (staff only)
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required

from api.auth.jwt import current_scope
from api.db import get_session
from api.money.group_schemas import (
    GroupArgs,
    GroupPaymentOutSchema,
    GroupPaymentSchema,
    GroupSchema,
)
from api.smorest import Blueprint
from core.money import group_payments as service
from core.money.payments import Status, channel_payment_id
from core.scope import require_staff

blp = Blueprint(
    "groups",
    __name__,
    url_prefix="/api",
    description="Group customers: one payer for many accounts, payments spread oldest first",
)
_CODE = "<string(maxlength=32):code>"


def _result_body(result: service.GroupResult) -> dict[str, Any]:
    g = result.payment
    return {
        "status": result.status.value,
        "replay": result.replay,
        "id": g.id,
        "group_code": g.group_code,
        "amount": g.amount,
        "unallocated": g.unallocated,
        "channel": g.channel.value,
        "channel_txn_id": g.channel_txn_id,
        "collected_at": g.collected_at,
        "recorded_at": g.recorded_at,
        "parts": [
            {
                "payment_id": p.payment_id,
                "account_id": p.account_id,
                "amount": p.amount,
                "overpayment": p.overpayment,
                "allocations": [
                    {"bill_id": a.bill_id, "principal": a.principal, "late_fee": a.late_fee}
                    for a in p.allocations
                ],
            }
            for p in result.parts
        ],
    }


@blp.route(f"/groups/{_CODE}")
class Group(MethodView):
    @jwt_required()
    @blp.arguments(GroupArgs, location="query")
    @blp.response(200, GroupSchema)
    def get(self, args: dict[str, Any], code: str) -> Any:
        """The group's accounts in the caller's scope, what each owes, and the group credit."""
        session = get_session()
        view = service.group_view(session, current_scope(), code, args.get("as_of"))
        return {
            "code": view.code,
            "as_of": view.as_of,
            "accounts": [
                {
                    "account_id": a.account.id,
                    "number": a.account.number,
                    "name": a.account.name,
                    "station_id": a.account.station_id,
                    "principal": a.principal,
                    "late_fee": a.late_fee,
                    "total": a.total,
                    "credit": a.credit,
                }
                for a in view.accounts
            ],
            "total_due": view.total_due,
            "credit": view.credit,
            "payments": [
                {
                    "id": g.id,
                    "amount": g.amount,
                    "unallocated": g.unallocated,
                    "channel": g.channel.value,
                    "collected_at": g.collected_at,
                }
                for g in view.recent
            ],
        }


@blp.route(f"/groups/{_CODE}/payments")
class GroupPayments(MethodView):
    @jwt_required()
    @blp.arguments(GroupPaymentSchema)
    @blp.response(201, GroupPaymentOutSchema)
    @blp.alt_response(200, schema=GroupPaymentOutSchema, description="A replay: the stored result")
    def post(self, body: dict[str, Any], code: str) -> Any:
        """Record a group payment exactly once, spread oldest first (or per the split)
        over the group's accounts in scope; the remainder is group credit."""
        session = get_session()
        scope = current_scope()
        require_staff(scope)
        split = body.get("split")
        txn = body.get("channel_txn_id")
        inp = service.GroupPaymentInput(
            id=body["id"] or channel_payment_id(body["channel"], str(txn)),
            group_code=code,
            amount=body["amount"],
            channel=body["channel"],
            collected_at=body["collected_at"],
            device_id=body.get("device_id"),
            split=None if split is None else tuple((s["account_id"], s["amount"]) for s in split),
            channel_txn_id=body.get("channel_txn_id"),
        )
        result = service.record_group_payment(session, scope, inp)
        session.commit()
        return _result_body(result), 201 if result.status is Status.CREATED else 200
