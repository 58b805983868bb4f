"""Month-end zero (月末清零): see docs/kpis.md, "Month-end zero"."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_UP, Decimal

from sqlalchemy import Date, case, cast, func, literal, select, true, union_all
from sqlalchemy.orm import Session

from core.kpis.base import Subject, month_of, previous_month_same_day, serial_plans
from core.kpis.ledger import dated_allocations
from core.models import Account, BillBalance
from core.money.due_sql import bills_due
from core.scope import Scope

#: "From the month on" for the allocations dated after a month's start, whatever later.
_LAST_DAY = dt.date(9999, 12, 30)

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class DayOwing:
    day: dt.date
    owing: Decimal
    accounts: int


@dataclass
class MonthEnd:
    as_of: dt.date
    month_end: dt.date
    #: Principal still owed at the end of ``as_of`` on bills due by the month's end.
    owing: Decimal = ZERO
    accounts: int = 0
    #: Days left in the month, ``as_of`` included.
    days_left: int = 0
    trend: list[DayOwing] = field(default_factory=list)
    #: The same figure on the same day of the month before (its own month's bills).
    last_month: DayOwing | None = None

    @property
    def per_day_needed(self) -> Decimal:
        return (self.owing / self.days_left).quantize(Decimal("0.01"), rounding=ROUND_UP)


def owing_by_day(
    session: Session, scope: Scope, subject: Subject, as_of: dt.date
) -> list[DayOwing]:
    """From the first of ``as_of``'s month to ``as_of``: each day's principal owed (and
    accounts owing) on the bills due by the month's end, as ``bills_due`` reads that day."""
    serial_plans(session)
    month = month_of(as_of)
    start = month.start
    accounts = subject.accounts(scope)
    # The money dated from the month's first day on, read once (through the payments'
    # collected_at index): what moved in the month up to ``as_of``, and what each bill
    # had been paid before the month (below).
    onwards = dated_allocations(accounts, start, _LAST_DAY, cte=True)
    moves = select(onwards).where(onwards.c.dated_on <= as_of).cte("month_move")
    paid_onwards = (
        select(onwards.c.bill_id, func.sum(onwards.c.principal).label("principal"))
        .group_by(onwards.c.bill_id)
        .cte("paid_onwards")
    )
    bill = BillBalance
    moved = select(moves.c.bill_id)
    # The bills that may owe on a day of the month: a bill owes then only if it is open
    # now or money dated from the month on moved it (else it owes its balance, nothing,
    # all month). Open ones through the maintained balances' partial index, from the
    # subject's accounts; never the whole ledger, nor a reading of the day before.
    columns = (bill.bill_id, bill.account_id, bill.period, bill.billed, bill.outstanding)
    owes_in_month = (*accounts, bill.due_date <= month.end, bill.period <= as_of)
    candidates = union_all(
        select(*columns)
        .join(Account, Account.id == bill.account_id)
        .where(bill.outstanding > 0, *owes_in_month),
        select(*columns)  # the others: no set to deduplicate
        .join(paid_onwards, paid_onwards.c.bill_id == bill.bill_id)
        .join(Account, Account.id == bill.account_id)
        .where(bill.outstanding <= 0, *owes_in_month),
    ).subquery("month_bill")
    # Paid before the month, unclamped: what the bill's maintained balance
    # (core.money.balance) lacks of its billed amount, less what was allocated from the
    # month's first day on. (Read from "owed the day before" instead, a bill paid beyond
    # its amount, lowered by an adjustment after its payment, would owe a whole reversal
    # in the month, not only what the reversal takes back beyond the excess.)
    c = candidates.c
    p0 = c.billed - c.outstanding - func.coalesce(paid_onwards.c.principal, 0)
    live = (
        select(
            c.bill_id,
            c.account_id,
            c.period,
            c.billed.label("amount"),
            p0.label("p0"),
            func.greatest(c.period, start).label("since"),
            c.bill_id.in_(moved).label("moving"),
        )
        .outerjoin(paid_onwards, paid_onwards.c.bill_id == c.bill_id)
        .cte("live_bill")
    )
    # A bill nothing moved this month owes the same from its first day (the 1st, or its
    # month's first day) on: summed by that day. Only the bills money moved on are
    # followed day by day.
    still = live.c.moving.is_(False) & (live.c.amount > live.c.p0)
    static = (
        select(
            literal("static"),
            live.c.since,
            func.sum(func.greatest(live.c.amount - live.c.p0, 0)),
            literal(0),
        )
        .where(still)
        .group_by(live.c.since)
    )
    since = (
        select(live.c.account_id, func.min(live.c.since).label("since"))
        .where(still)
        .group_by(live.c.account_id)
        .cte("static_since")
    )
    first_owing = select(literal("accounts"), since.c.since, literal(0), func.count()).group_by(
        since.c.since
    )
    days = select(
        cast(func.generate_series(start, as_of, dt.timedelta(days=1)), Date).label("day")
    ).subquery("day")
    delta = (
        select(moves.c.bill_id, moves.c.dated_on, func.sum(moves.c.principal).label("principal"))
        .group_by(moves.c.bill_id, moves.c.dated_on)
        .subquery("delta")
    )
    grid = (
        select(
            live.c.account_id,
            live.c.period,
            live.c.amount,
            live.c.p0,
            days.c.day,
            func.sum(func.coalesce(delta.c.principal, 0))
            .over(partition_by=live.c.bill_id, order_by=days.c.day)
            .label("paid_since"),
        )
        .select_from(live.join(days, true()))
        .outerjoin(delta, (delta.c.bill_id == live.c.bill_id) & (delta.c.dated_on == days.c.day))
        .where(live.c.moving)
        .subquery("grid")
    )
    # Nothing is owed on a bill before its month starts.
    owed = case(
        (grid.c.period > grid.c.day, 0),
        else_=func.greatest(grid.c.amount - grid.c.p0 - grid.c.paid_since, 0),
    )
    dynamic = (
        select(grid.c.account_id, grid.c.day, func.sum(owed).label("owed"))
        .group_by(grid.c.account_id, grid.c.day)
        .cte("moving_owed")
    )
    moving_sum = select(
        literal("moving"), dynamic.c.day, func.sum(dynamic.c.owed), literal(0)
    ).group_by(dynamic.c.day)
    # Accounts owing only on bills money moved on (not yet owing on an unmoved one).
    moving_accounts = (
        select(literal("moving_accounts"), dynamic.c.day, literal(0), func.count())
        .outerjoin(since, since.c.account_id == dynamic.c.account_id)
        .where(dynamic.c.owed > 0, since.c.since.is_(None) | (since.c.since > dynamic.c.day))
        .group_by(dynamic.c.day)
    )
    rows = session.execute(union_all(static, first_owing, moving_sum, moving_accounts)).all()
    owing: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    counted: dict[dt.date, int] = defaultdict(int)
    static_from: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    accounts_from: dict[dt.date, int] = defaultdict(int)
    for kind, day, amount, n in rows:
        if kind == "static":
            static_from[day] += amount
        elif kind == "accounts":
            accounts_from[day] += n
        elif kind == "moving":
            owing[day] += amount
        else:
            counted[day] += n
    out = []
    running, running_accounts = ZERO, 0
    day = start
    while day <= as_of:
        running += static_from.get(day, ZERO)
        running_accounts += accounts_from.get(day, 0)
        total = (running + owing.get(day, ZERO)).quantize(Decimal("0.01"))
        out.append(DayOwing(day, total, running_accounts + counted.get(day, 0)))
        day += dt.timedelta(days=1)
    return out


def month_end(session: Session, scope: Scope, subject: Subject, as_of: dt.date) -> MonthEnd:
    """Month-end zero on ``as_of``: owed, accounts, days left, the trend, last month."""
    month = month_of(as_of)
    trend = owing_by_day(session, scope, subject, as_of)
    out = MonthEnd(as_of, month.end, trend=trend, days_left=(month.end - as_of).days + 1)
    out.owing, out.accounts = trend[-1].owing, trend[-1].accounts
    out.last_month = owing_on(session, scope, subject, previous_month_same_day(as_of))
    return out


def owing_on(session: Session, scope: Scope, subject: Subject, day: dt.date) -> DayOwing:
    """The trend's figure for ``day`` alone (the last line of :func:`owing_by_day`):
    principal owed at the end of ``day`` on the bills due by its month's end, and the
    accounts owing some, read from ``bills_due`` of that day once."""
    serial_plans(session)
    due = bills_due(day, late_fees=False, scope=scope, station_id=subject.station_id)
    stmt = select(
        func.coalesce(func.sum(due.c.principal), 0),
        func.count(func.distinct(due.c.account_id)),
    ).where(due.c.due_date <= month_of(day).end, due.c.principal > 0)
    if narrower := subject.beyond_station():
        stmt = stmt.join(Account, Account.id == due.c.account_id).where(*narrower)
    owed, accounts = session.execute(stmt).one()
    return DayOwing(day, Decimal(owed).quantize(Decimal("0.01")), accounts)
