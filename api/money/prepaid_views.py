"""Prepaid deposits (预存电费): deposits exactly once, the balance, auto-payment.

- ``GET  /api/accounts/{id}/deposits``          balance and history (scoped)
- ``POST /api/accounts/{id}/deposits``          201 created | 200 replay | 422 (staff only)
- ``POST /api/accounts/{id}/deposits/autopay``  pay from the balance for the newest bill
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required

from api.auth.jwt import current_scope
from api.db import get_session
from api.money.prepaid_schemas import (
    AutopayOutSchema,
    DepositOutSchema,
    DepositSchema,
    PrepaidSchema,
)
from api.smorest import Blueprint
from core.money import deposits as service
from core.money.payments import Status
from core.scope import require_staff

blp = Blueprint(
    "prepaid",
    __name__,
    url_prefix="/api",
    description="Prepaid deposits: a balance that pays bills automatically, oldest first",
)
_ACCOUNT = "<int(max=2147483647):account_id>"


def _draw_body(draw: service.Draw | None) -> dict[str, Any] | None:
    if draw is None:
        return None
    return {
        "payment_id": draw.payment.id,
        "amount": draw.payment.amount,
        "trigger": draw.trigger,
        "replay": draw.replay,
        "allocations": [
            {"bill_id": a.bill_id, "principal": a.principal, "late_fee": a.late_fee}
            for a in draw.allocations
        ],
    }


@blp.route(f"/accounts/{_ACCOUNT}/deposits")
class Deposits(MethodView):
    @jwt_required()
    @blp.response(200, PrepaidSchema)
    def get(self, account_id: int) -> Any:
        """The account's prepaid balance, its deposits and what the balance paid."""
        session = get_session()
        h = service.history(session, current_scope(), account_id)
        return {
            "account_id": h.account_id,
            "balance": h.balance,
            "deposits": [
                {
                    "id": d.id,
                    "amount": d.amount,
                    "channel": d.channel.value,
                    "collected_at": d.collected_at,
                    "recorded_at": d.recorded_at,
                }
                for d in h.deposits
            ],
            "draws": [
                {
                    "payment_id": d.payment_id,
                    "amount": d.amount,
                    "trigger": d.trigger,
                    "created_at": d.created_at,
                    "reversed": rev,
                }
                for d, rev in h.draws
            ],
        }

    @jwt_required()
    @blp.arguments(DepositSchema)
    @blp.response(201, DepositOutSchema)
    @blp.alt_response(200, schema=DepositOutSchema, description="A replay: the stored result")
    def post(self, body: dict[str, Any], account_id: int) -> Any:
        """Deposit into the prepaid balance exactly once; the balance then pays what is owed."""
        session = get_session()
        scope = current_scope()
        require_staff(scope)
        inp = service.DepositInput(
            id=body["id"],
            account_id=account_id,
            amount=body["amount"],
            channel=body["channel"],
            collected_at=body["collected_at"],
            device_id=body.get("device_id"),
        )
        result = service.record_deposit(session, scope, inp)
        session.commit()
        d = result.deposit
        out = {
            "status": result.status.value,
            "replay": result.replay,
            "id": d.id,
            "account_id": d.account_id,
            "amount": d.amount,
            "channel": d.channel.value,
            "collected_at": d.collected_at,
            "recorded_at": d.recorded_at,
            "autopay": _draw_body(result.draw),
            "balance": result.balance,
        }
        return out, 201 if result.status is Status.CREATED else 200


@blp.route(f"/accounts/{_ACCOUNT}/deposits/autopay")
class Autopay(MethodView):
    @jwt_required()
    @blp.response(200, AutopayOutSchema)
    def post(self, account_id: int) -> Any:
        """Pay the account's newest bill (and anything older) from the balance, once."""
        session = get_session()
        scope = current_scope()
        require_staff(scope)
        draw = service.autopay_latest_bill(session, scope, account_id)
        session.commit()
        return {"autopay": _draw_body(draw)}
