"""Set-based arrears for lists and maps: per account, principal outstanding by age and
the escalation stage, in one SQL statement.

The principal agrees with :func:`geo.money.amount_due` (payments count from their
station-local collection day; a reversal cancels its original from the reversal's
day). Late fees are not computed here: they need the per-bill rule, so list views
show principal and ageing, and a detail view calls ``amount_due``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Integer, Subquery, case, cast, func, literal, select

from geo.models import Account, Bill, Payment, PaymentAllocation, Station
from geo.money.aging import Stage


def arrears_by_age(as_of: dt.date) -> Subquery:
    """One row per account that owes principal on ``as_of``.

    Columns: ``account_id``, ``principal``, ``d1_30``, ``d31_60``, ``d61_90``,
    ``d90_plus``, ``oldest_days_overdue``, ``stage``.
    """
    local_day = cast(func.timezone(Station.timezone, Payment.collected_at), Date)
    paid = (
        select(
            PaymentAllocation.bill_id.label("bill_id"),
            func.sum(PaymentAllocation.principal).label("paid"),
        )
        .join(Payment, Payment.id == PaymentAllocation.payment_id)
        .join(Account, Account.id == Payment.account_id)
        .join(Station, Station.id == Account.station_id)
        .where(local_day <= as_of)
        .group_by(PaymentAllocation.bill_id)
        .subquery("paid")
    )
    open_principal: Any = func.greatest(Bill.amount - func.coalesce(paid.c.paid, 0), 0)
    days: Any = literal(as_of, Date) - Bill.due_date
    bills = (
        select(
            Bill.account_id.label("account_id"),
            open_principal.label("open"),
            cast(days, Integer).label("days"),
        )
        .outerjoin(paid, paid.c.bill_id == Bill.id)
        .where(Bill.period <= as_of)
        .subquery("open_bills")
    )

    def bucket(low: int, high: int | None) -> Any:
        cond = bills.c.days >= low if high is None else bills.c.days.between(low, high)
        return func.coalesce(func.sum(case((cond, bills.c.open), else_=0)), 0)

    oldest: Any = func.coalesce(
        func.max(case(((bills.c.open > 0) & (bills.c.days > 0), bills.c.days))), 0
    )
    stage = case(
        (oldest <= 0, Stage.NONE.value),
        (oldest <= 30, Stage.REMINDER.value),
        (oldest <= 60, Stage.VISIT.value),
        (oldest <= 90, Stage.REPEATED_VISIT.value),
        (oldest <= 180, Stage.SUPERVISOR_VISIT.value),
        else_=Stage.FORMAL_NOTICE.value,
    )
    return (
        select(
            bills.c.account_id,
            func.sum(bills.c.open).label("principal"),
            bucket(1, 30).label("d1_30"),
            bucket(31, 60).label("d31_60"),
            bucket(61, 90).label("d61_90"),
            bucket(91, None).label("d90_plus"),
            oldest.label("oldest_days_overdue"),
            stage.label("stage"),
        )
        .group_by(bills.c.account_id)
        .having(func.sum(bills.c.open) > 0)
        .subquery("arrears_by_age")
    )
