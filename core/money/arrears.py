"""Set-based arrears per account, for filters and aggregates over many accounts.

A reading of :func:`core.money.due_sql.bills_due` (the set-based form of
``core.money.amount_due``, without the late fee, which these filters do not use):
``arrears`` is the account's principal outstanding on the day, ``oldest_due`` the
earliest due date among its bills with principal outstanding.

Read over a station or a scope, most accounts come from their maintained sums
(``account_balance``, :mod:`core.money.balance`): an account whose open bills' periods
all started by the day D and that has no payment collected after D owes on D exactly its
open bills, so its row is its arrears. The few others (a bill of a later period open, a
payment not yet dated on D) are read bill by bill through ``bills_due``, so the answer
equals the ledger to the fen on any day.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Select, Subquery, cast, func, literal, select, text, union_all

from core.models import AccountBalance, Payment
from core.money.due_sql import AccountIds, bills_due
from core.scope import Scope, visible

__all__ = ["account_arrears_parts", "account_arrears_subquery", "read_by_bills"]

#: The easternmost UTC offset: no station's day D ends earlier than D's end there.
_EARLIEST_ZONE = dt.timezone(dt.timedelta(hours=14))


def _by_bills(lines: Subquery) -> Select[Any]:
    """Per account of ``lines`` (``bills_due`` rows): its principal and oldest due date."""
    return select(
        lines.c.account_id,
        func.sum(lines.c.principal).label("arrears"),
        func.min(lines.c.due_date).label("oldest_due"),
    ).group_by(lines.c.account_id)


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
    ``scope`` to those that user may see: the sums read only those accounts' rows.
    Accounts owing nothing have no row.
    Columns: ``account_id``, ``arrears``, ``oldest_due``.
    """
    if account_ids is not None:  # a page: its bills, through the open bills' index
        lines = bills_due(
            as_of, station_id=station_id, account_ids=account_ids, late_fees=False, scope=scope
        )
        return _by_bills(lines).subquery("account_arrears")
    return union_all(*account_arrears_parts(as_of, station_id=station_id, scope=scope)).subquery(
        "account_arrears"
    )


@functools.lru_cache(maxsize=256)  # ~190 KiB each: a county's supervisors and collectors
def account_arrears_parts(
    as_of: dt.date | None = None,
    *,
    station_id: int | None = None,
    scope: Scope | None = None,
) -> tuple[Select[int, Decimal, dt.date | None], Select[Any]]:
    """The two disjoint parts of :func:`account_arrears_subquery` over a station or scope:
    ``settled`` (the rows of ``account_balance`` that are their accounts' arrears: a
    caller may order it by ``AccountBalance.open_principal``, which its indexes hold) and
    ``by_bills`` (the few others, read bill by bill). Same columns as the subquery.

    Cached: building them (``bills_due`` around an SQL array of accounts, which its own
    cache cannot name) took longer than running a page's statement; SQL constructs are
    immutable, so one pair serves every caller of the same day, station and scope."""
    settled_where, others = _split(as_of, station_id, scope)
    settled = select(
        AccountBalance.account_id,
        AccountBalance.open_principal.label("arrears"),
        AccountBalance.oldest_open_due.label("oldest_due"),
    ).where(*settled_where)
    lines = bills_due(
        as_of, station_id=station_id, account_ids=others, late_fees=False, scope=scope
    )
    return settled, _by_bills(lines)


def read_by_bills(
    as_of: dt.date | None = None,
    *,
    station_id: int | None = None,
    scope: Scope | None = None,
) -> Any:
    """The SQL array of the accounts whose arrears :func:`account_arrears_parts`'s
    ``by_bills`` reads (a superset of its rows: those owing nothing there have none),
    of the station or scope and a few more (paid after the day, wherever)."""
    return _split(as_of, station_id, scope)[1]


@functools.lru_cache(maxsize=256)
def _split(
    as_of: dt.date | None, station_id: int | None, scope: Scope | None
) -> tuple[tuple[Any, ...], Any]:
    """The conditions on :class:`AccountBalance` keeping the settled rows, and the SQL
    array of the other accounts (read bill by bill)."""
    ab = AccountBalance
    if as_of is None:
        # The earliest day D any station is in now (UTC-12), and payments collected
        # after now are the only ones not dated on some station's today.
        first_day: Any = cast(func.timezone("UTC", func.now()) - text("interval '12 hours'"), Date)
        after_day: Any = func.now()
    else:
        first_day = cast(literal(as_of), Date)
        after_day = literal(
            dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), _EARLIEST_ZONE)
        )
    # Payments (and reversals) not dated on D are few: found by collected_at.
    paid_later = select(Payment.account_id).where(Payment.collected_at >= after_day)
    where: list[Any] = []
    if station_id is not None:
        where.append(ab.station_id == station_id)
    if scope is not None and not scope.is_admin:
        where.append(visible(ab, scope))
    settled = (
        ab.open_bills > 0,
        ab.latest_open_period <= first_day,
        ab.account_id.not_in(paid_later),
        *where,
    )
    others = func.array(
        select(ab.account_id)
        .where(ab.open_bills > 0, ab.latest_open_period > first_day, *where)
        .union(paid_later)
        .scalar_subquery()
    )
    return settled, others
