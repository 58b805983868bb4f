"""Each bill's maintained balance: principal outstanding now, kept by the database.

``bill_balance.outstanding`` is the bill's amount with its re-billing adjustments less
every principal allocated to it (payments' and reversals' alike), whatever the dates.
Triggers (migration 0029) move it by a delta in the transaction of every money write
(a bill inserted or its amount changed, an adjustment, a payment's or reversal's
allocations), whichever code path or role writes, so it is never stale and concurrent
writers add up. It is a cache of the ledger, never its source: the ledger's invariants
(``bill_balance_matches_ledger`` in :mod:`core.money.invariants`, ``flask money check``)
compare it with a recount (its copies of the bill's period, due date and billed amount
too, and when and how it was paid: migration 0036), and :func:`rebuild_balances`
recounts it after a bulk load with triggers off.

What it is for: the open bills of an account, a page or a station are found through
``ix_bill_balance_open`` (partial on ``outstanding > 0``) without reading the settled
bills and their allocations, which are most of the ledger. Dated readings (``bills_due``
as of a day D) add back what was allocated by payments not yet dated on D (a few, found
through the payments' ``collected_at`` index), so they stay equal to the ledger to the
fen; late fees are still computed as of the day.

``account_balance`` (migration 0034) sums each account's open bills (principal, how
many, the oldest due date, the latest period) next to its station and responsible
collector, created with the account (0037) and recounted by triggers whenever one of its
bills' balances moves: station-wide
readings of principal read one row per owing account
(:func:`core.money.arrears.account_arrears_subquery`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, exists, or_, select, text
from sqlalchemy.orm import Session

from core.models import Account, BillBalance, Payment

__all__ = [
    "ACCOUNT_MISMATCH_SQL",
    "ACCOUNT_REBUILD_SQL",
    "MISMATCH_SQL",
    "REBUILD_SQL",
    "balance_mismatches",
    "may_owe_on",
    "rebuild_balances",
]

#: The easternmost UTC offset: no station's day ends earlier than there.
_EARLIEST_ZONE = dt.timezone(dt.timedelta(hours=14))

#: Every bill's balance from the ledger (the migrations' backfills, the same recount).
_RECOUNT = """
    SELECT b.id AS bill_id, b.account_id,
           b.amount + coalesce(d.delta, 0) - coalesce(a.principal, 0) AS outstanding,
           b.period, b.due_date, b.amount + coalesce(d.delta, 0) AS billed,
           a.last_paid_at, coalesce(a.at_door, false) AS paid_at_door
    FROM bill b
    LEFT JOIN (SELECT bill_id, sum(delta) AS delta FROM bill_adjustment GROUP BY bill_id) d
        ON d.bill_id = b.id
    LEFT JOIN (SELECT pa.bill_id, sum(pa.principal) AS principal,
                      max(p.collected_at) AS last_paid_at,
                      bool_or(p.channel IN ('field_cash', 'field_qr')) AS at_door
               FROM payment_allocation pa JOIN payment p ON p.id = pa.payment_id
               GROUP BY pa.bill_id) a ON a.bill_id = b.id
"""

#: Every account, its open bills summed from their balances (migration 0034's backfill,
#: the same recount; an account without a bill has zero sums, migration 0037).
_ACCOUNT_RECOUNT = """
    SELECT a.id AS account_id, a.station_id, a.responsible_id,
           coalesce(sum(bb.outstanding) FILTER (WHERE bb.outstanding > 0), 0) AS open_principal,
           count(*) FILTER (WHERE bb.outstanding > 0) AS open_bills,
           min(bb.due_date) FILTER (WHERE bb.outstanding > 0) AS oldest_open_due,
           max(bb.period) FILTER (WHERE bb.outstanding > 0) AS latest_open_period
    FROM account a LEFT JOIN bill_balance bb ON bb.account_id = a.id
    GROUP BY a.id
"""

#: Every account's row from its bills' balances (a fresh load writes it after them).
ACCOUNT_REBUILD_SQL = f"""
    DELETE FROM account_balance;
    INSERT INTO account_balance (account_id, station_id, responsible_id, open_principal,
                                 open_bills, oldest_open_due, latest_open_period)
    {_ACCOUNT_RECOUNT};
"""

REBUILD_SQL = f"""
    DELETE FROM bill_balance;
    INSERT INTO bill_balance (bill_id, account_id, outstanding, period, due_date, billed,
                              last_paid_at, paid_at_door)
    {_RECOUNT};
    {ACCOUNT_REBUILD_SQL}
"""

#: Bills whose maintained row is missing, extra or differs from the recount.
MISMATCH_SQL = f"""
    SELECT coalesce(r.bill_id, bb.bill_id)::text || ' balance '
           || coalesce(bb.outstanding::text, 'missing') || ' ledger '
           || coalesce(r.outstanding::text, 'no bill')
    FROM ({_RECOUNT}) r
    FULL JOIN bill_balance bb ON bb.bill_id = r.bill_id
    LEFT JOIN account acc ON acc.id = coalesce(r.account_id, bb.account_id)
    WHERE (:all OR acc.station_id = ANY(:stations))
      AND (r.bill_id IS NULL OR bb.bill_id IS NULL
           OR bb.outstanding <> r.outstanding OR bb.account_id <> r.account_id
           OR bb.billed <> r.billed OR bb.period <> r.period OR bb.due_date <> r.due_date
           OR bb.last_paid_at IS DISTINCT FROM r.last_paid_at
           OR bb.paid_at_door <> r.paid_at_door)
"""

#: Accounts whose maintained sums of their open bills are missing, extra or differ from
#: the ledger's recount (every account has a row, with zero sums when no bill is open).
ACCOUNT_MISMATCH_SQL = f"""
    SELECT 'account ' || coalesce(r.account_id, ab.account_id)::text || ' balance '
           || coalesce(ab.open_principal::text || '/' || ab.open_bills || ' bills', 'missing')
           || ' ledger ' || coalesce(r.open_principal::text || '/' || r.open_bills || ' bills',
                                     'no bills')
    FROM (
        SELECT a.id AS account_id, a.station_id, a.responsible_id,
               coalesce(sum(b.outstanding) FILTER (WHERE b.outstanding > 0), 0) AS open_principal,
               count(*) FILTER (WHERE b.outstanding > 0) AS open_bills,
               min(b.due_date) FILTER (WHERE b.outstanding > 0) AS oldest_open_due,
               max(b.period) FILTER (WHERE b.outstanding > 0) AS latest_open_period
        FROM account a LEFT JOIN ({_RECOUNT}) b ON b.account_id = a.id
        WHERE :all OR a.station_id = ANY(:stations)
        GROUP BY a.id
    ) r
    FULL JOIN (SELECT * FROM account_balance
               WHERE :all OR station_id = ANY(:stations)
                  OR account_id IN (SELECT id FROM account WHERE station_id = ANY(:stations))
              ) ab ON ab.account_id = r.account_id
    WHERE r.account_id IS NULL OR ab.account_id IS NULL
       OR ab.open_principal <> r.open_principal OR ab.open_bills <> r.open_bills
       OR ab.oldest_open_due IS DISTINCT FROM r.oldest_open_due
       OR ab.latest_open_period IS DISTINCT FROM r.latest_open_period
       OR ab.station_id <> r.station_id OR ab.responsible_id IS DISTINCT FROM r.responsible_id
"""


def rebuild_balances(conn: Connection | Session) -> int:
    """Recount every bill's balance from the ledger (after a load with triggers off);
    returns the number of bills. Run by the database owner, in the caller's transaction."""
    for statement in REBUILD_SQL.split(";"):
        if statement.strip():
            conn.execute(text(statement))
    return int(conn.execute(text("SELECT count(*) FROM bill_balance")).scalar_one())


def balance_mismatches(session: Session, station_ids: list[int] | None = None) -> list[str]:
    """The bills and accounts whose maintained balance differs from the ledger (empty:
    it holds)."""
    params = {"all": station_ids is None, "stations": list(station_ids or [])}
    return [
        str(r[0])
        for sql in (MISMATCH_SQL, ACCOUNT_MISMATCH_SQL)
        for r in session.execute(text(sql), params)
    ]


def may_owe_on(day: dt.date) -> Any:
    """A condition on :class:`Account`, true for every account that owes principal on
    ``day`` (and a few more): one of its bills of a period started by then is open now,
    or it has a payment collected after ``day`` (which may have closed a bill that was
    open then; a reversal is collected after its payment). Index probes per account,
    so a page of accounts in id order stops early; the exact amounts come from
    ``bills_due``."""
    after_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), _EARLIEST_ZONE)
    open_bill = exists().where(
        BillBalance.account_id == Account.id,
        BillBalance.outstanding > 0,
        BillBalance.period <= day,
    )
    paid_later = Account.id.in_(select(Payment.account_id).where(Payment.collected_at >= after_day))
    return or_(open_bill, paid_later)
