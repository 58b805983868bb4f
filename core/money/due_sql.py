"""The amount due of many accounts at once: :func:`core.money.amount_due` as one SQL selectable.

Every set-based reading of arrears (account filters, the ageing list, the planner's
candidates) selects from :func:`bills_due`, which states the per-account rule in SQL,
rule for rule (tests/core/money/test_due_sql.py holds the two equal to the fen):

- the day D is station-local: a payment counts from its station-local collection day;
- a payment and its reversal are left out together once the reversal is dated, and a
  reversal's own (negative) allocations never count;
- only the account's own payments pay its bills, and only bills whose period started
  by D are owed;
- principal outstanding = amount - allocated principal, never below zero;
- late fee = the fee accrued on each paid part up to its payment day, plus the fee on
  what is still outstanding up to D (each rounded to the fen once), each day of
  lateness at the rates in force at the station on that day (its own version before
  a national one, else the classic rates: :func:`rate_periods`); raised when positive
  to the minimum in force on the bill's last day of lateness (D while principal is
  owed, else the day its last principal was paid); less the fee already paid.

Without late fees, the principal comes from each bill's maintained balance
(:mod:`core.money.balance`) plus what payments not yet dated on D allocated, so the
reading starts from the open bills (a partial index) instead of every bill and
allocation of the accounts concerned.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Date,
    DateTime,
    Integer,
    Subquery,
    any_,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

from core.models import (
    Account,
    Bill,
    BillBalance,
    Category,
    Payment,
    PaymentAllocation,
    Station,
)
from core.models.ledger_extra import LateFeeRate
from core.money.billed import adjusted_amount
from core.money.fees import CLASSIC_RATES
from core.scope import Scope, visible

__all__ = ["AccountIds", "bills_due", "rate_periods", "station_days"]

#: Which accounts to read: their ids, or an SQL array of ids (e.g. a map tile's accounts,
#: found by the same statement, so no round trip fetches them first).
AccountIds = Sequence[int] | ColumnElement[Any]

#: The easternmost UTC offset: no station's day ends earlier than there.
_EARLIEST_ZONE = dt.timezone(dt.timedelta(hours=14))
_RATE_COLUMNS = ("residential", "other_current_year", "other_earlier_years", "minimum")
#: Bounds of the rate periods: before any version, and after the last one.
_FIRST_DAY, _LAST_DAY = dt.date(1, 1, 1), dt.date(9999, 12, 31)


def rate_periods() -> CTE:
    """Per station, the days each set of rates is in force (as :func:`core.money.rates.
    rate_schedule`): a period starts at every version's first day (national ones and the
    station's own) and ends before the next; its rates are the version in force on its
    first day: the station's latest own one, else the latest national one, else the
    classic rates.

    Columns: ``station_id``, ``starts``, ``ends`` (exclusive) and the four rate columns.
    """
    first_day = cast(literal(_FIRST_DAY), Date)
    change = union(
        select(Station.id.label("station_id"), first_day.label("starts")),
        select(Station.id, LateFeeRate.effective_from).join(
            LateFeeRate,
            (LateFeeRate.station_id == Station.id) | LateFeeRate.station_id.is_(None),
        ),
    ).subquery("rate_change")
    version = (
        select(*(getattr(LateFeeRate, c) for c in _RATE_COLUMNS))
        .where(
            (LateFeeRate.station_id == change.c.station_id) | LateFeeRate.station_id.is_(None),
            LateFeeRate.effective_from <= change.c.starts,
        )
        .order_by(LateFeeRate.station_id.is_(None), LateFeeRate.effective_from.desc())
        .limit(1)
        .lateral("rate_version")
    )
    following = func.lead(change.c.starts).over(
        partition_by=change.c.station_id, order_by=change.c.starts
    )
    return (
        select(
            change.c.station_id,
            change.c.starts,
            func.coalesce(following, cast(literal(_LAST_DAY), Date)).label("ends"),
            *(
                func.coalesce(version.c[c], getattr(CLASSIC_RATES, c)).label(c)
                for c in _RATE_COLUMNS
            ),
        )
        .outerjoin(version, true())
        .cte("rate_period")
    )


def station_days(as_of: dt.date | None = None) -> CTE:
    """Per station: the day D (``as_of``, or the station's own business day today when
    None) and the first instant after it.

    Columns: ``station_id``, ``timezone``, ``as_of``, ``ends_at``.
    """
    day: Any = (
        cast(literal(as_of), Date)
        if as_of is not None
        else cast(func.timezone(Station.timezone, func.now()), Date)
    )
    return select(
        Station.id.label("station_id"),
        Station.timezone.label("timezone"),
        day.label("as_of"),
        # Local midnight after D: collected before it <=> collected on or before D.
        func.timezone(Station.timezone, cast(day + 1, DateTime)).label("ends_at"),
    ).cte("station_day")


def _in_force(periods: CTE, station_id: Any, day: Any) -> Any:
    """The condition that ``periods``' row is the one in force at the station on ``day``."""
    return (periods.c.station_id == station_id) & (periods.c.starts <= day) & (periods.c.ends > day)


def _accrued(
    periods: CTE, station_id: Any, principal: Any, due_date: Any, until: Any, residential: Any
) -> Any:
    """:func:`core.money.fees.accrued_fee` as SQL: the fee ``principal`` accrues from the day after
    ``due_date`` to ``until``, each day at the rates of its period, rounded once (numeric
    arithmetic is exact; ``round`` halves away from zero, which is half-up here)."""
    rp = periods
    first = func.greatest(due_date + 1, rp.c.starts)
    last = func.least(until, rp.c.ends - 1)
    days: Any = last - first + 1
    year_end = func.make_date(cast(extract("year", due_date), Integer), 12, 31)
    in_year: Any = func.greatest(0, func.least(last, year_end) - first + 1)
    later: Any = func.greatest(0, last - func.greatest(first, year_end + 1) + 1)
    per_unit = case(
        (residential, rp.c.residential * days),
        else_=rp.c.other_current_year * in_year + rp.c.other_earlier_years * later,
    )
    fee = (
        select(func.round(principal * func.sum(per_unit), 2))
        .where(rp.c.station_id == station_id, rp.c.starts <= until, rp.c.ends > due_date + 1)
        .scalar_subquery()
    )
    return case(((until > due_date) & (principal > 0), fee), else_=0)


_reversal, _original = aliased(Payment, name="reversal"), aliased(Payment, name="original")
_earlier = aliased(Payment, name="earlier")
#: Per reversal: when the payment it reverses was collected.
_REVERSED_FROM = (
    select(_reversal.id, _original.collected_at)
    .join(_original, _original.id == _reversal.reverses_id)
    .where(_reversal.reverses_id.is_not(None))
    .subquery("reversed_from")
)
#: Per reversed payment: when its reversal was collected.
_REVERSED_BY = (
    select(_reversal.reverses_id.label("id"), _reversal.collected_at)
    .where(_reversal.reverses_id.is_not(None))
    .subquery("reversed_by")
)


def bills_due(
    as_of: dt.date | None = None,
    *,
    station_id: int | None = None,
    account_ids: AccountIds | None = None,
    late_fees: bool = True,
    scope: Scope | None = None,
) -> Subquery:
    """One row per bill with something outstanding on ``as_of``: exactly the
    ``BillDue`` lines of :func:`core.money.amount_due` for every account at once.

    Parameters
    ----------
    as_of
        The day D; None is each station's own business day today.
    station_id, account_ids
        Only that station's accounts / only these accounts (a page), given as ids or as
        an SQL array of ids (e.g. a map tile's accounts, found in the same statement).
    scope
        Only the accounts this user may see (:func:`core.scope.visible`): the bills,
        allocations and payments read are the scope's, never the county's (an
        aggregate's cost grows with its answer). None (or an admin) is every account.
    late_fees
        False leaves the late fee out (much cheaper): then the rows are the bills with
        principal outstanding, and there is no ``late_fee`` column.

    Columns: ``bill_id``, ``account_id``, ``category``, ``period``, ``due_date``,
    ``amount``, ``principal``, ``late_fee``, ``days_overdue``, ``as_of``.
    """
    if scope is not None and scope.is_admin:
        scope = None  # everything: no clause to add
    if isinstance(account_ids, ColumnElement):  # a new expression each time: not cached
        return _bills_due.__wrapped__(as_of, station_id, account_ids, late_fees, scope)
    ids = None if account_ids is None else tuple(account_ids)
    return _bills_due(as_of, station_id, ids, late_fees, scope)


def _accounts_in(station_id: int | None, scope: Scope | None) -> list[Any]:
    """The conditions on :class:`Account` for ``station_id`` and ``scope`` (none: all)."""
    where: list[Any] = []
    if station_id is not None:
        where.append(Account.station_id == station_id)
    if scope is not None:
        where.append(visible(Account, scope))
    return where


@functools.lru_cache(maxsize=1024)
def _bills_due(
    as_of: dt.date | None,
    station_id: int | None,
    account_ids: tuple[int, ...] | ColumnElement[Any] | None,
    late_fees: bool,
    scope: Scope | None,
) -> Subquery:
    # Cached: building this statement costs more than running it on a small station,
    # and SQL constructs are immutable, so one object serves every caller.
    sd = station_days(as_of)
    residential = Account.category == Category.RESIDENTIAL
    # Dated allocations: payments collected by D, and reversals collected by D of
    # payments collected by D. A reversal's allocations negate its payment's bill by
    # bill (ledger invariant ``reversal_mirrors_original``), so summing both leaves the
    # pair out, as amount_due does; the fee a paid part accrued until its payment day
    # is taken back the same way, counted to the original's day. A payment pays only
    # its own account's bills (invariant ``allocation_on_own_account``).
    reversed_from = _REVERSED_FROM
    dated = (Payment.collected_at < sd.c.ends_at) & (
        reversed_from.c.collected_at.is_(None) | (reversed_from.c.collected_at < sd.c.ends_at)
    )
    of_bills: list[Any] = []  # restrictions on Bill
    of_payments: list[Any] = []  # the same on Payment (a payment pays its own account's bills)
    # The station's or scope's conditions go on the Account each part joins, so the
    # plan starts from those accounts (their index) and reaches their bills and
    # payments through theirs, never reading the rest of the county.
    accounts = _accounts_in(station_id, scope)
    if account_ids is not None:
        page = (
            account_ids
            if isinstance(account_ids, ColumnElement)
            else bindparam("due_account_ids", list(account_ids), type_=ARRAY(Integer))
        )
        of_bills.append(Bill.account_id == any_(page))
        of_payments.append(Payment.account_id == any_(page))

    paid: Any
    if late_fees:
        periods = rate_periods()
        reversed_by = _REVERSED_BY
        paid_at = func.coalesce(reversed_from.c.collected_at, Payment.collected_at)
        paid_on = cast(func.timezone(sd.c.timezone, paid_at), Date)
        sign = case((PaymentAllocation.principal < 0, -1), else_=1)
        accrued = sign * _accrued(
            periods,
            Account.station_id,
            func.abs(PaymentAllocation.principal),
            Bill.due_date,
            paid_on,
            residential,
        )
        # A principal payment that stands on D (its reversal, if any, is not dated).
        standing = (
            dated
            & (PaymentAllocation.principal > 0)
            & (reversed_by.c.collected_at.is_(None) | (reversed_by.c.collected_at >= sd.c.ends_at))
        )
        paid = (
            select(
                PaymentAllocation.bill_id,
                func.sum(PaymentAllocation.principal).filter(dated).label("principal"),
                func.sum(PaymentAllocation.late_fee).filter(dated).label("late_fee"),
                func.sum(accrued).filter(dated).label("accrued"),
                func.max(paid_on).filter(standing).label("last_paid_on"),
            )
            .join(Bill, Bill.id == PaymentAllocation.bill_id)
            .join(Payment, Payment.id == PaymentAllocation.payment_id)
            .join(Account, Account.id == Payment.account_id)
            .join(sd, sd.c.station_id == Account.station_id)
            .outerjoin(reversed_from, reversed_from.c.id == Payment.id)
            .outerjoin(reversed_by, reversed_by.c.id == Payment.id)
            .where(*of_bills, *accounts)
            .group_by(PaymentAllocation.bill_id)
        ).subquery("bill_paid")
        paid_principal: Any = func.coalesce(paid.c.principal, 0)
    else:
        # Principal only, from each bill's maintained balance (core.money.balance: its
        # amount less every allocation, read through the open bills' partial index)
        # plus what the payments not dated by D allocated: the few collected after a
        # bound no station's D ends before, and the reversals of such payments.
        bound: Any = (
            func.now()  # today's end is after now, in every time zone
            if as_of is None
            else literal(
                dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), _EARLIEST_ZONE)
            )
        )

        def allocated(*found_by: Any) -> Any:
            """Allocations of the payments ``found_by`` finds that are not dated on D."""
            return (
                select(PaymentAllocation.bill_id, PaymentAllocation.principal)
                .select_from(Payment)
                .outerjoin(reversed_from, reversed_from.c.id == Payment.id)
                .join(Account, Account.id == Payment.account_id)
                .join(sd, sd.c.station_id == Account.station_id)
                .join(PaymentAllocation, PaymentAllocation.payment_id == Payment.id)
                .where(*found_by, ~dated, *of_payments, *accounts)
            )

        # Each branch found through an index, without a second read of the payments by
        # id: those collected after the bound (collected_at), and the reversals collected
        # before it of payments collected after it (reverses_id, from those payments).
        later = union_all(
            allocated(Payment.collected_at >= bound),
            allocated(
                Payment.collected_at < bound,
                Payment.reverses_id.is_not(None),
                Payment.reverses_id.in_(select(_earlier.id).where(_earlier.collected_at >= bound)),
            ),
        ).subquery("payment_later")
        undated = (
            select(later.c.bill_id, func.sum(later.c.principal).label("principal"))
            .group_by(later.c.bill_id)
            .cte("bill_paid_later")
        )
    day: Any = sd.c.as_of if as_of is None else cast(literal(as_of), Date)
    if late_fees:
        bills = (
            select(
                Bill.id.label("bill_id"),
                Bill.account_id,
                Account.category,
                Bill.period,
                Bill.due_date,
                adjusted_amount().label("amount"),
                day.label("as_of"),
                Account.station_id,
                residential.label("is_residential"),
            )
            .where(Bill.period <= day, *of_bills, *accounts)
            .join(Account, Account.id == Bill.account_id)
            .join(sd, sd.c.station_id == Account.station_id)
        )
        b = bills.subquery("bill_day")
        joined: Any = b.outerjoin(paid, paid.c.bill_id == b.c.bill_id)
        principal: Any = func.greatest(b.c.amount - paid_principal, 0)
    else:
        # The bills that may owe principal on D, from their maintained rows alone (no
        # read of ``bill``): open now (the partial index, from the accounts concerned),
        # or paid by a payment not dated on D.
        columns = (
            BillBalance.bill_id,
            BillBalance.account_id,
            Account.category,
            BillBalance.period,
            BillBalance.due_date,
            BillBalance.billed.label("amount"),
            BillBalance.outstanding,
            Account.station_id,
        )
        of_rows: list[Any] = [*accounts]
        if account_ids is not None:
            of_rows.append(BillBalance.account_id == any_(page))
        open_now = (
            select(*columns)
            .join(Account, Account.id == BillBalance.account_id)
            .where(BillBalance.outstanding > 0, *of_rows)
        )
        # Settled now (the open ones are above): the two parts never share a bill, so
        # they are appended, not sorted to drop duplicates (a station's open bills).
        paid_later = (
            select(*columns)
            .join(Account, Account.id == BillBalance.account_id)
            .join(undated, undated.c.bill_id == BillBalance.bill_id)
            .where(BillBalance.outstanding <= 0, *of_rows)
        )
        maybe = union_all(open_now, paid_later).subquery("bill_maybe_owed")
        rows = select(maybe, day.label("as_of")).where(maybe.c.period <= day)
        if as_of is None:
            rows = rows.join(sd, sd.c.station_id == maybe.c.station_id)
        b = rows.subquery("bill_day")
        joined = b.outerjoin(undated, undated.c.bill_id == b.c.bill_id)
        principal = func.greatest(b.c.outstanding + func.coalesce(undated.c.principal, 0), 0)
    line: list[Any] = [
        b.c.bill_id,
        b.c.account_id,
        b.c.category,
        b.c.period,
        b.c.due_date,
        b.c.amount,
        principal.label("principal"),
    ]
    if late_fees:
        accrued_total: Any = func.coalesce(paid.c.accrued, 0) + _accrued(
            periods, b.c.station_id, principal, b.c.due_date, b.c.as_of, b.c.is_residential
        )
        # The minimum in force on the bill's last day of lateness: D while principal is
        # owed, else the day its last principal was paid (a later version never changes
        # a settled bill's fee). Looked up only for a positive fee.
        ended = case(
            (principal > 0, b.c.as_of), else_=func.coalesce(paid.c.last_paid_on, b.c.as_of)
        )
        minimum = (
            select(periods.c.minimum)
            .where(_in_force(periods, b.c.station_id, ended))
            .scalar_subquery()
        )
        with_minimum = case(
            (accrued_total > 0, func.greatest(accrued_total, minimum)), else_=accrued_total
        )
        line.append(
            func.greatest(with_minimum - func.coalesce(paid.c.late_fee, 0), 0).label("late_fee")
        )
    line += [
        cast(func.greatest(b.c.as_of - b.c.due_date, 0), Integer).label("days_overdue"),
        b.c.as_of,
    ]
    lines = select(*line).select_from(joined).subquery("bill_lines")
    owed = lines.c.principal > 0
    if late_fees:
        owed = owed | (lines.c.late_fee > 0)
    return select(lines).where(owed).subquery("bills_due")
