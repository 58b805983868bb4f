"""Set-based arrears for lists and maps: per account, principal outstanding by age and
the escalation stage, in one SQL statement.

A reading of :func:`core.money.due_sql.bills_due`, so it equals
:func:`core.money.amount_due` (principal, buckets, oldest days overdue and stage,
where a bill whose principal is paid but whose late fee is not still counts as overdue).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Subquery, case, func, select

from core.money.aging import Stage
from core.money.due_sql import AccountIds, bills_due
from core.scope import Scope


def arrears_by_age(
    as_of: dt.date, scope: Scope | None = None, account_ids: AccountIds | None = None
) -> Subquery:
    """One row per account that owes principal on ``as_of``; with ``scope``, per account
    that scope may see, computed over those accounts' bills alone; with ``account_ids``,
    of those accounts (a page or a map tile, read through the indexes).

    Columns: ``account_id``, ``principal``, ``d1_30``, ``d31_60``, ``d61_90``,
    ``d90_plus``, ``oldest_days_overdue``, ``stage``.
    """
    bills = bills_due(as_of, scope=scope, account_ids=account_ids)
    days = bills.c.days_overdue

    def bucket(low: int, high: int | None) -> Any:
        cond = days >= low if high is None else days.between(low, high)
        return func.coalesce(func.sum(case((cond, bills.c.principal), else_=0)), 0)

    oldest: Any = func.coalesce(func.max(days), 0)
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
            func.sum(bills.c.principal).label("principal"),
            bucket(1, 30).label("d1_30"),
            bucket(31, 60).label("d31_60"),
            bucket(61, 90).label("d61_90"),
            bucket(91, None).label("d90_plus"),
            oldest.label("oldest_days_overdue"),
            stage.label("stage"),
        )
        .group_by(bills.c.account_id)
        .having(func.sum(bills.c.principal) > 0)
        .subquery("arrears_by_age")
    )
