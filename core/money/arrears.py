"""Set-based arrears per account, for filters and aggregates over many accounts.

A reading of :func:`core.money.due_sql.bills_due` (the set-based form of
``core.money.amount_due``, without the late fee, which these filters do not use):
``arrears`` is the account's principal outstanding on the day, ``oldest_due`` the
earliest due date among its bills with principal outstanding.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Subquery, func, select

from core.money.due_sql import AccountIds, bills_due
from core.scope import Scope

__all__ = ["account_arrears_subquery"]


def account_arrears_subquery(
    as_of: dt.date | None = None,
    account_ids: AccountIds | None = None,
    *,
    station_id: int | None = None,
    scope: Scope | None = None,
) -> Subquery:
    """Per account with principal outstanding on ``as_of`` (None: each station's own
    business day today): ``arrears`` (principal outstanding) and ``oldest_due``.

    ``account_ids`` limits it to a page of accounts, ``station_id`` to a station's and
    ``scope`` to those that user may see: the sums read only those accounts' bills.
    Accounts owing nothing have no row.
    Columns: ``account_id``, ``arrears``, ``oldest_due``.
    """
    lines = bills_due(
        as_of, station_id=station_id, account_ids=account_ids, late_fees=False, scope=scope
    )
    return (
        select(
            lines.c.account_id,
            func.sum(lines.c.principal).label("arrears"),
            func.min(lines.c.due_date).label("oldest_due"),
        )
        .group_by(lines.c.account_id)
        .subquery("account_arrears")
    )
