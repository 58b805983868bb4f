""":func:`core.money.amount_due` for many accounts in two queries (a route, a pack).

The bill lines come from :func:`core.money.due_sql.bills_due` (held equal to
``amount_due`` by tests/core/money/test_due_sql.py), the credit from one more query;
``AmountDue.of`` assembles both exactly as ``amount_due`` does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import Integer, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from core.models import Account, Bill, EntryKind, Payment, PaymentAllocation
from core.money.due import ZERO, AmountDue, BillDue
from core.money.due_sql import bills_due, station_days

__all__ = ["dues_of"]


def _credits(session: Session, account_ids: Sequence[int], as_of: dt.date) -> dict[int, Decimal]:
    """Per account: money paid by D and allocated to no bill owed by D (before the
    floor at zero). Standing payments only: a dated reversal voids its payment and
    itself (a reversal is never dated before its payment)."""
    sd = station_days(as_of)
    page = bindparam("credit_account_ids", list(account_ids), type_=ARRAY(Integer))
    reversal = aliased(Payment, name="reversal")
    standing = (
        select(Payment.id, Payment.account_id, Payment.amount)
        .join(Account, Account.id == Payment.account_id)
        .join(sd, sd.c.station_id == Account.station_id)
        .outerjoin(reversal, reversal.reverses_id == Payment.id)
        .where(
            Payment.account_id == any_(page),
            Payment.kind == EntryKind.PAYMENT,
            Payment.collected_at < sd.c.ends_at,
            reversal.id.is_(None) | (reversal.collected_at >= sd.c.ends_at),
        )
        .subquery("standing")
    )
    allocated = (
        select(
            PaymentAllocation.payment_id,
            func.sum(PaymentAllocation.principal + PaymentAllocation.late_fee).label("amount"),
        )
        .join(Bill, Bill.id == PaymentAllocation.bill_id)
        .where(PaymentAllocation.payment_id.in_(select(standing.c.id)), Bill.period <= as_of)
        .group_by(PaymentAllocation.payment_id)
        .subquery("allocated")
    )
    stmt = (
        select(
            standing.c.account_id,
            func.sum(standing.c.amount - func.coalesce(allocated.c.amount, 0)),
        )
        .outerjoin(allocated, allocated.c.payment_id == standing.c.id)
        .group_by(standing.c.account_id)
    )
    return {a: Decimal(c) for a, c in session.execute(stmt)}


def dues_of(session: Session, account_ids: Sequence[int], as_of: dt.date) -> dict[int, AmountDue]:
    """``amount_due(session, a, as_of)`` for every ``a`` in ``account_ids``, at once.

    Parameters
    ----------
    session
        An open session; nothing is written.
    account_ids
        Existing accounts (of any stations); each gets an entry, owing or not.
    as_of
        The station-local day D, as for ``amount_due``.
    """
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    lines = bills_due(as_of, account_ids=ids)
    rows = session.execute(
        select(lines).order_by(lines.c.account_id, lines.c.period, lines.c.bill_id)
    ).all()
    by_account: dict[int, list[BillDue]] = defaultdict(list)
    for r in rows:
        by_account[r.account_id].append(
            BillDue(
                r.bill_id, r.period, r.due_date, r.amount, r.principal, r.late_fee, r.days_overdue
            )
        )
    credits = _credits(session, ids, as_of)
    return {a: AmountDue.of(a, as_of, by_account.get(a, []), credits.get(a, ZERO)) for a in ids}
