"""Prepaid balances (预存电费/电费储蓄): reads and the auto-pay rule, no writes.

Balance = deposits - draws + draws whose payment was reversed (the money goes back).
An auto-payment takes min(balance, what the account owes) oldest first, late fee first,
and its payment id is derived (:func:`core.money.ids.derived_id`) from the trigger, the
deposit or the bill that caused it: re-running the same trigger can never pay twice.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Payment
from core.models.group_prepaid import PrepaidDeposit, PrepaidDraw
from core.money.ids import derived_id

ZERO = Decimal("0.00")


def deposit_trigger(deposit_id: uuid.UUID) -> str:
    return f"deposit:{deposit_id}"


def bill_trigger(bill_id: int) -> str:
    return f"bill:{bill_id}"


def draw_payment_id(trigger: str) -> uuid.UUID:
    """The id of the auto-payment a trigger makes (the same trigger, the same id; keyed,
    version 8: no client id can take it first)."""
    return derived_id("prepaid", trigger)


def prepaid_balance(session: Session, account_id: int) -> Decimal:
    """The account's prepaid balance now (deposits - draws + reversed draws)."""
    deposits = session.scalar(
        select(func.coalesce(func.sum(PrepaidDeposit.amount), 0)).where(
            PrepaidDeposit.account_id == account_id
        )
    )
    draws = session.scalar(
        select(func.coalesce(func.sum(PrepaidDraw.amount), 0)).where(
            PrepaidDraw.account_id == account_id
        )
    )
    returned = session.scalar(
        select(func.coalesce(func.sum(PrepaidDraw.amount), 0))
        .join(Payment, Payment.reverses_id == PrepaidDraw.payment_id)
        .where(PrepaidDraw.account_id == account_id)
    )
    return Decimal(deposits or 0) - Decimal(draws or 0) + Decimal(returned or 0)


def autopay_amount(balance: Decimal, owed: Decimal) -> Decimal:
    """What an auto-payment takes: never more than the balance or than is owed."""
    return max(ZERO, min(balance, owed))
