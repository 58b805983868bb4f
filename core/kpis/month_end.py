"""Month-end zero (月末清零): see docs/kpis.md, "Month-end zero"."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_UP, Decimal
from typing import Any

from sqlalchemy import Date, Integer, case, cast, func, literal, select, union_all
from sqlalchemy.orm import Session

from core.kpis.base import Subject, month_of, previous_month_same_day, serial_plans
from core.kpis.ledger import dated_allocations
from core.models import Account, BillBalance
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
    return _month_reading(session, scope, subject, as_of)[0]


def _month_reading(
    session: Session, scope: Scope, subject: Subject, as_of: dt.date
) -> tuple[list[DayOwing], DayOwing]:
    """The trend of ``as_of``'s month and the figure of the same day last month, from one
    statement (:func:`_month_changes`)."""
    serial_plans(session)
    start = month_of(as_of).start
    owed_from: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    owing_from: dict[dt.date, int] = defaultdict(int)
    last = DayOwing(previous_month_same_day(as_of), ZERO, 0)
    for day, yuan, n in session.execute(_month_changes(scope, subject, as_of)):
        if day < start:  # the one row of last month: the figure itself
            last = DayOwing(day, Decimal(yuan).quantize(Decimal("0.01")), n)
            continue
        owed_from[day] += yuan
        owing_from[day] += n
    out = []
    running, running_accounts = ZERO, 0
    day = start
    while day <= as_of:
        running += owed_from.get(day, ZERO)
        running_accounts += owing_from.get(day, 0)
        out.append(DayOwing(day, running.quantize(Decimal("0.01")), running_accounts))
        day += dt.timedelta(days=1)
    return out, last


@functools.lru_cache(maxsize=256)
def _month_changes(scope: Scope, subject: Subject, as_of: dt.date) -> Any:
    """The statement of month-end zero: rows (day, yuan, accounts), each a change of the
    trend from that day on, and one row dated the same day last month (before the
    month's first) with that day's figure itself. One statement reads the open bills and
    the money once for both (two readings cost nearly twice as much). Cached (as
    ``bills_due``'s): building it costs ~10 ms of Python, and a dashboard asks the same
    day's figures again and again."""
    month = month_of(as_of)
    start = month.start
    last_day = previous_month_same_day(as_of)
    last_month_end = month_of(last_day).end
    accounts = subject.accounts(scope)
    # The money dated after the same day last month, read once (through the payments'
    # collected_at index): what each bill had been paid by then and before this month
    # (below), and what moved in this month up to ``as_of``.
    onwards = dated_allocations(accounts, last_day + dt.timedelta(days=1), _LAST_DAY, cte=True)
    in_month = (onwards.c.dated_on >= start) & (onwards.c.dated_on <= as_of)
    moves = select(onwards).where(in_month).cte("month_move")
    paid_onwards = (
        select(
            onwards.c.bill_id,
            func.sum(onwards.c.principal).filter(onwards.c.dated_on >= start).label("principal"),
            func.sum(onwards.c.principal).label("since_last"),
            # The money that moved the bill in the month up to ``as_of``: its sum and
            # its first and last days (most bills move on one day: no window for them).
            func.sum(onwards.c.principal).filter(in_month).label("moved"),
            func.min(onwards.c.dated_on).filter(in_month).label("first_move"),
            func.max(onwards.c.dated_on).filter(in_month).label("last_move"),
        )
        .group_by(onwards.c.bill_id)
        .cte("paid_onwards")
    )
    bill = BillBalance
    # The bills that may owe on a day of the month or on last month's day (its bills are
    # among this month's: due by an earlier month's end, issued by an earlier day): a
    # bill owes then only if it is open now or money dated after that day moved it (else
    # it owes its balance, nothing). Open ones through the maintained balances' partial
    # index, from the subject's accounts; never the whole ledger, nor a reading of the
    # day before.
    columns = (bill.bill_id, bill.account_id, bill.period, bill.due_date, bill.outstanding)
    owes_in_month = (bill.due_date <= month.end, bill.period <= as_of)
    candidates = union_all(
        select(*columns)
        .join(Account, Account.id == bill.account_id)
        .where(bill.outstanding > 0, *accounts, *owes_in_month),
        # The others (no set to deduplicate): already the subject's, as a payment pays
        # only its own account's bills (invariant ``allocation_on_own_account``).
        select(*columns)
        .join(paid_onwards, paid_onwards.c.bill_id == bill.bill_id)
        .where(bill.outstanding <= 0, *owes_in_month),
    ).subquery("month_bill")
    # What each bill owes before money of the month: its billed amount less what was
    # paid before the month, read unclamped as the bill's maintained balance
    # (core.money.balance) plus what was allocated from the month's first day on. (Read
    # from "owed the day before" instead, a bill paid beyond its amount, lowered by an
    # adjustment after its payment, would owe a whole reversal in the month, not only
    # what the reversal takes back beyond the excess.) Last month's day the same way,
    # as ``bills_due`` of that day reads it.
    c = candidates.c
    live = (
        select(
            c.bill_id,
            c.account_id,
            (c.outstanding + func.coalesce(paid_onwards.c.principal, 0)).label("base"),
            # It owes from the month's first day, or from its own month's.
            func.greatest(c.period, start).label("since"),
            paid_onwards.c.first_move.is_not(None).label("moving"),
            func.coalesce(paid_onwards.c.moved, 0).label("moved"),
            # Money dated before ``since`` moves the bill on ``since`` (its first step).
            func.greatest(paid_onwards.c.first_move, c.period, start).label("first_step"),
            func.greatest(paid_onwards.c.last_move, c.period, start).label("last_step"),
            case(
                (
                    (c.due_date <= last_month_end) & (c.period <= last_day),
                    c.outstanding + func.coalesce(paid_onwards.c.since_last, 0),
                ),
                else_=0,
            ).label("last_month"),
        )
        .outerjoin(paid_onwards, paid_onwards.c.bill_id == c.bill_id)
        .cte("live_bill")
    )
    owed_last_month = live.c.last_month > 0
    last_month = select(
        cast(literal(last_day), Date),
        func.coalesce(func.sum(live.c.last_month).filter(owed_last_month), 0),
        func.count(func.distinct(live.c.account_id)).filter(owed_last_month),
    )
    # Every row below is a change of the trend from its day on: its owed yuan and its
    # owing accounts. A bill nothing moved this month owes its base from ``since`` on,
    # and an account owes from the first such day unless money moved on one of its
    # bills: only those accounts are followed step by step (a bill's debt changes on
    # ``since`` and on each day money moved on it), never every bill on every day.
    still = live.c.moving.is_(False) & (live.c.base > 0)
    followed = select(live.c.account_id).where(live.c.moving).cte("followed_account")
    static_owed = (
        select(live.c.since, func.sum(live.c.base), literal(0)).where(still).group_by(live.c.since)
    )
    first_owing = (
        select(func.min(live.c.since).label("since"))
        .where(still, live.c.account_id.not_in(select(followed.c.account_id)))
        .group_by(live.c.account_id)
        .subquery("first_owing")
    )
    static_accounts = select(first_owing.c.since, literal(0), func.count()).group_by(
        first_owing.c.since
    )
    # A bill all of whose money of the month counts on one day (its first step or a
    # later one) changes the trend on ``since`` and on that day: both changes are read
    # from its own row. Only the bills money moved on several days are stepped through
    # a window over their days.
    one_day = live.c.moving & (live.c.first_step == live.c.last_step)
    several_days = live.c.moving & (live.c.first_step != live.c.last_step)
    on_since = case(
        (live.c.first_step == live.c.since, live.c.base - live.c.moved), else_=live.c.base
    )
    after = live.c.base - live.c.moved
    first_owed = func.greatest(on_since, 0)
    first_owes = cast(on_since > 0, Integer)
    then_owed = func.greatest(after, 0) - func.greatest(live.c.base, 0)
    then_owes = cast(after > 0, Integer) - cast(live.c.base > 0, Integer)
    steps = union_all(
        select(
            live.c.bill_id,
            live.c.account_id,
            live.c.base,
            live.c.since,
            literal(0).label("principal"),
        ).where(several_days),
        select(
            live.c.bill_id,
            live.c.account_id,
            live.c.base,
            func.greatest(moves.c.dated_on, live.c.since),
            moves.c.principal,
        )
        .join(moves, moves.c.bill_id == live.c.bill_id)
        .where(several_days),
    ).subquery("bill_step")
    bill_day = (
        select(
            steps.c.bill_id,
            steps.c.account_id,
            steps.c.since.label("day"),
            (
                steps.c.base
                - func.sum(func.sum(steps.c.principal)).over(
                    partition_by=steps.c.bill_id, order_by=steps.c.since
                )
            ).label("left"),
        )
        .group_by(steps.c.bill_id, steps.c.account_id, steps.c.base, steps.c.since)
        .subquery("bill_day")
    )
    owed = func.greatest(bill_day.c.left, 0)
    owes = cast(bill_day.c.left > 0, Integer)

    def before(value: Any) -> Any:
        """``value`` on the bill's previous step (0 before its first)."""
        return func.lag(value, 1, 0).over(partition_by=bill_day.c.bill_id, order_by=bill_day.c.day)

    change = union_all(
        select(
            bill_day.c.account_id,
            bill_day.c.day,
            (owed - before(owed)).label("owed"),
            (owes - before(owes)).label("owing_bills"),
        ),
        # The bills moved on one day: their first step, and the day money moved them
        # when later (changes of nothing left out).
        select(live.c.account_id, live.c.since, first_owed, first_owes).where(
            one_day, on_since > 0
        ),
        select(live.c.account_id, live.c.first_step, then_owed, then_owes).where(
            one_day, live.c.first_step > live.c.since, (then_owed != 0) | (then_owes != 0)
        ),
        # The followed accounts' unmoved bills (their yuan is in static_owed).
        select(live.c.account_id, live.c.since, literal(0), literal(1)).where(
            still, live.c.account_id.in_(select(followed.c.account_id))
        ),
    ).subquery("bill_change")
    # A followed account owes while some bill of it does: count its owing bills.
    account_day = (
        select(
            change.c.day,
            func.sum(change.c.owed).label("owed"),
            func.sum(change.c.owing_bills).label("moved"),
            func.sum(func.sum(change.c.owing_bills))
            .over(partition_by=change.c.account_id, order_by=change.c.day)
            .label("owing_bills"),
        )
        .group_by(change.c.account_id, change.c.day)
        .subquery("account_day")
    )
    now_owes = cast(account_day.c.owing_bills > 0, Integer)
    owed_before = cast(account_day.c.owing_bills - account_day.c.moved > 0, Integer)
    followed_change = select(
        account_day.c.day, func.sum(account_day.c.owed), func.sum(now_owes - owed_before)
    ).group_by(account_day.c.day)
    return union_all(static_owed, static_accounts, followed_change, last_month)


def month_end(session: Session, scope: Scope, subject: Subject, as_of: dt.date) -> MonthEnd:
    """Month-end zero on ``as_of``: owed, accounts, days left, the trend, last month."""
    month = month_of(as_of)
    trend, last_month = _month_reading(session, scope, subject, as_of)
    out = MonthEnd(as_of, month.end, trend=trend, days_left=(month.end - as_of).days + 1)
    out.owing, out.accounts = trend[-1].owing, trend[-1].accounts
    out.last_month = last_month
    return out
