"""A collector's cash statement: what they took at the door and what left their hands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import literal, null, select, union_all
from sqlalchemy.orm import Session, aliased

from core.kpis.base import Period
from core.kpis.ledger import local_bounds
from core.models import Account, Channel, EntryKind, Payment
from core.models.ledger_extra import CashEvent

#: Money that passes through a collector's hands (QR money goes to the channel).
CASH = Channel.FIELD_CASH


@dataclass(frozen=True)
class StatementLine:
    at: dt.datetime
    kind: str  # collected | reversed | handed_over | variance
    account_number: str | None
    account_name: str | None
    receipt_no: str | None
    #: Signed: into the collector's hands positive, out negative.
    amount: Decimal
    balance: Decimal


def cash_statement(
    session: Session, collector_id: int, zone: str, period: Period
) -> list[StatementLine]:
    """Field cash the collector took, its reversals, handovers and counted variances over
    ``period`` (days local to ``zone``), oldest first, with the running balance."""
    lo, hi = local_bounds(period.start, period.end, zone)
    original = aliased(Payment)
    taken = (
        select(
            Payment.collected_at.label("at"),
            literal("collected").label("kind"),
            Account.number,
            Account.name,
            Payment.receipt_no,
            Payment.amount.label("amount"),
        )
        .join(Account, Account.id == Payment.account_id)
        .where(
            Payment.kind == EntryKind.PAYMENT,
            Payment.collector_id == collector_id,
            Payment.channel == CASH,
            Payment.collected_at >= lo,
            Payment.collected_at < hi,
        )
    )
    reversed_ = (
        select(
            Payment.collected_at,
            literal("reversed"),
            Account.number,
            Account.name,
            original.receipt_no,
            -Payment.amount,
        )
        .join(original, original.id == Payment.reverses_id)
        .join(Account, Account.id == Payment.account_id)
        .where(
            original.collector_id == collector_id,
            original.channel == CASH,
            Payment.collected_at >= lo,
            Payment.collected_at < hi,
        )
    )
    events = select(
        CashEvent.occurred_at,
        CashEvent.kind,
        null(),
        null(),
        null(),
        CashEvent.amount * -1,
    ).where(
        CashEvent.collector_id == collector_id,
        CashEvent.occurred_at >= lo,
        CashEvent.occurred_at < hi,
    )
    both = union_all(taken, reversed_, events).subquery("statement")
    rows = session.execute(select(both).order_by(both.c.at, both.c.kind)).all()
    out, balance = [], Decimal("0.00")
    for at, kind, number, name, receipt, amount in rows:
        kind = "handed_over" if kind == "handover" else kind
        if kind == "variance":  # a variance is counted minus expected: into the hands
            amount = -amount
        balance += amount
        out.append(StatementLine(at, kind, number, name, receipt, amount, balance))
    return out
