"""How a payment is split over an account's bills: hinted bills first, then oldest first;
on each bill its late fee first, then its principal. What is left is an overpayment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.money.due import AmountDue, BillDue

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class AllocationLine:
    bill_id: int
    principal: Decimal
    late_fee: Decimal


@dataclass(frozen=True)
class AllocationPlan:
    lines: tuple[AllocationLine, ...]
    #: The part of the payment no bill needed.
    unallocated: Decimal


def plan_allocation(due: AmountDue, amount: Decimal, hint: Sequence[int] = ()) -> AllocationPlan:
    """Split ``amount`` over ``due.bills``; ``hint`` bill ids go first, in the given order."""
    if amount <= 0:
        raise ValueError("a payment amount is positive")
    by_id = {b.bill_id: b for b in due.bills}
    ordered: list[BillDue] = [by_id[i] for i in dict.fromkeys(hint) if i in by_id]
    ordered += [b for b in due.bills if b.bill_id not in set(hint)]
    left = amount
    lines: list[AllocationLine] = []
    for bill in ordered:
        if left <= 0:
            break
        fee = min(left, bill.late_fee)
        left -= fee
        principal = min(left, bill.principal)
        left -= principal
        if fee > 0 or principal > 0:
            lines.append(AllocationLine(bill.bill_id, principal, fee))
    return AllocationPlan(tuple(lines), left)
