"""The one reading of the money ledger every money KPI sums: dated allocations.

An allocation counts on the station-local day it is *dated*: a payment's on the day it
was collected; a reversal's (negative) on the later of its own collection day and its
original's (the rule of ``bills_due``: a payment and its reversal drop out together once
both are dated). Its channel and collector are the original payment's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import CTE, Date, Subquery, cast, func, select, union_all
from sqlalchemy.orm import aliased

from core.models import Account, Payment, PaymentAllocation, Station

#: No zone is further east (UTC+14) or west (UTC-12): instant bounds around local days.
EAST, WEST = dt.timezone(dt.timedelta(hours=14)), dt.timezone(dt.timedelta(hours=-12))


def instant_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Instants that hold every station's local days ``start`` to ``end`` (and a bit more)."""
    return (
        dt.datetime.combine(start, dt.time(), EAST),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), WEST),
    )


def local_bounds(start: dt.date, end: dt.date, zone: str) -> tuple[dt.datetime, dt.datetime]:
    tz = ZoneInfo(zone)
    return (
        dt.datetime.combine(start, dt.time(), tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tz),
    )


def dated_allocations(
    accounts: list[Any], start: dt.date, end: dt.date, *, cte: bool = False
) -> Subquery | CTE:
    """Allocations of the accounts matching ``accounts`` (conditions on :class:`Account`)
    dated on station-local days ``start`` to ``end``.

    Columns: ``bill_id``, ``account_id``, ``channel``, ``collector_id``, ``principal``,
    ``late_fee``, ``dated_on``.
    """
    lo, hi = instant_bounds(start, end)
    original = aliased(Payment, name="original")
    in_range = (Payment.collected_at >= lo, Payment.collected_at < hi)  # the index on it

    def branch(reversals: bool, *where: Any) -> Any:
        # Only a reversal joins its original: a left join for every payment would be
        # planned as a read of the whole payment table (reversals are few).
        of: Any = original if reversals else Payment
        dated_at = func.greatest(Payment.collected_at, of.collected_at)
        dated_on = cast(func.timezone(Station.timezone, dated_at), Date)
        stmt = (
            select(
                PaymentAllocation.bill_id,
                Payment.account_id,
                of.channel.label("channel"),
                of.collector_id.label("collector_id"),
                PaymentAllocation.principal,
                PaymentAllocation.late_fee,
                dated_on.label("dated_on"),
            )
            .select_from(Payment)
            .join(PaymentAllocation, PaymentAllocation.payment_id == Payment.id)
            .join(Account, Account.id == Payment.account_id)
            .join(Station, Station.id == Account.station_id)
            .where(*accounts, *where, dated_on >= start, dated_on <= end)
        )
        if reversals:
            stmt = stmt.join(original, original.id == Payment.reverses_id)
        return stmt

    both = union_all(
        branch(False, Payment.reverses_id.is_(None), *in_range),
        branch(True, Payment.reverses_id.is_not(None), *in_range),
        # A reversal collected before the range whose original falls in it (backdated).
        branch(
            True,
            Payment.reverses_id.is_not(None),
            Payment.collected_at < lo,
            original.collected_at >= lo,
            original.collected_at < hi,
        ),
    )
    return both.cte("dated_allocation") if cte else both.subquery("dated_allocation")
