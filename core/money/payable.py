"""What a payment collected on a given day may still pay.

A payment is allocated against what was owed on its collection day, but payments
recorded earlier with a *later* collection day may have paid some of those bills
since: a backdated payment must never pay a bill again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from sqlalchemy.orm import Session

from core.money.due import AmountDue, amount_due

ZERO = Decimal("0.00")


def unpaid_now(due_on: AmountDue, due_now: AmountDue) -> AmountDue:
    """``due_on`` (what was owed on the collection day) without what payments recorded
    with a later collection day have paid since: a backdated payment must not pay a
    bill again. Both come from :func:`amount_due` for one account."""
    now = {b.bill_id: b for b in due_now.bills}
    bills = tuple(
        replace(b, principal=min(b.principal, n.principal), late_fee=min(b.late_fee, n.late_fee))
        for b in due_on.bills
        if (n := now.get(b.bill_id)) is not None
    )
    bills = tuple(b for b in bills if b.principal > 0 or b.late_fee > 0)
    return replace(
        due_on,
        bills=bills,
        principal=sum((b.principal for b in bills), ZERO),
        late_fee=sum((b.late_fee for b in bills), ZERO),
    )


def payable(session: Session, account_id: int, on: dt.date, today: dt.date) -> AmountDue:
    """What a payment collected on ``on`` may pay: owed on that day, less what payments
    collected later (already recorded) have paid since.

    Parameters
    ----------
    session
        An open session; nothing is written.
    account_id
        The paying account.
    on
        The payment's collection day (station-local).
    today
        The station-local business day now.
    """
    due = amount_due(session, account_id, on)
    return due if on >= today else unpaid_now(due, amount_due(session, account_id, today))
