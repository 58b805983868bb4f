"""Set-based arrears per account, for filters and aggregates over many accounts.

``arrears of a bill = bill.amount - sum(payment_allocation.principal)`` (reversals
allocate negative principal). This is deliberately a SQL expression, not a loop:
it is meant to be unified with the money package's single "amount due as of a
date" function once that lands; keep the name ``account_arrears_subquery``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, Subquery, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from geo.models import Bill, PaymentAllocation

__all__ = ["account_arrears_subquery"]


def account_arrears_subquery(
    as_of: dt.date | None = None, account_ids: Sequence[int] | None = None
) -> Subquery:
    """Per account with bills: ``arrears`` (sum of positive open principal) and
    ``oldest_due`` (the earliest due date among bills still open).

    Only bills whose period started on or before ``as_of`` count when it is given.
    With ``account_ids`` (a page of accounts) the payments are summed per bill
    through the index instead of aggregating the whole allocation table.
    Columns: ``account_id``, ``arrears``, ``oldest_due``.
    """
    if account_ids is not None:
        paid_per_bill: Any = (
            select(func.coalesce(func.sum(PaymentAllocation.principal), 0))
            .where(PaymentAllocation.bill_id == Bill.id)
            .correlate(Bill)
            .scalar_subquery()
        )
        bills = select(
            Bill.account_id.label("account_id"),
            func.greatest(Bill.amount - paid_per_bill, 0).label("open_amount"),
            Bill.due_date.label("due_date"),
        ).where(
            Bill.account_id
            == any_(bindparam("arrears_ids", list(account_ids), type_=ARRAY(Integer)))
        )
    else:
        paid = (
            select(
                PaymentAllocation.bill_id.label("bill_id"),
                func.sum(PaymentAllocation.principal).label("paid"),
            )
            .group_by(PaymentAllocation.bill_id)
            .subquery("paid")
        )
        open_amount: Any = func.greatest(Bill.amount - func.coalesce(paid.c.paid, 0), 0)
        bills = select(
            Bill.account_id.label("account_id"),
            open_amount.label("open_amount"),
            Bill.due_date.label("due_date"),
        ).outerjoin(paid, paid.c.bill_id == Bill.id)
    if as_of is not None:
        bills = bills.where(Bill.period <= as_of)
    per_bill = bills.subquery("open_bill")
    return (
        select(
            per_bill.c.account_id,
            func.sum(per_bill.c.open_amount).label("arrears"),
            func.min(per_bill.c.due_date).filter(per_bill.c.open_amount > 0).label("oldest_due"),
        )
        .group_by(per_bill.c.account_id)
        .subquery("account_arrears")
    )
