"""A bill's amount: what was billed plus its re-billing adjustments (append-only).

Every reader of a bill's amount goes through here, so a re-billed amount changes what is
owed, the late fee and the planner at once while the original stays as it was billed.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Bill, BillAdjustment


def adjusted_amount(bill_id: Any = Bill.id, amount: Any = Bill.amount) -> Any:
    """The SQL expression of a bill's amount with its adjustments (correlated on ``bill_id``)."""
    adjustments = (
        select(func.sum(BillAdjustment.delta))
        .where(BillAdjustment.bill_id == bill_id)
        .correlate_except(BillAdjustment)
        .scalar_subquery()
    )
    return amount + func.coalesce(adjustments, 0)


def adjustments_by_bill(session: Session, bill_ids: Collection[int]) -> dict[int, Decimal]:
    """Sum of the adjustments of each of ``bill_ids`` that has any."""
    if not bill_ids:
        return {}
    rows = session.execute(
        select(BillAdjustment.bill_id, func.sum(BillAdjustment.delta))
        .where(BillAdjustment.bill_id.in_(list(bill_ids)))
        .group_by(BillAdjustment.bill_id)
    )
    return {int(b): Decimal(d) for b, d in rows}
