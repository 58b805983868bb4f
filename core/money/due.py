"""The amount an account owes on a date: THE one function every caller uses.

Per bill: principal outstanding = amount - allocated principal; the late fee is
the fee accrued on every part of the principal for as long as it was unpaid
(parts already paid stop accruing on their payment day), each day of lateness at
the rates in force on that day, minus the fee already paid, with the minimum
applied to the bill's accrued total. Reversed payments and their reversals are
left out together.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Account, Bill, Category, EntryKind, Payment, PaymentAllocation, Station
from core.money.aging import AgeBuckets, Stage, age_buckets, escalation_stage
from core.money.billed import adjustments_by_bill
from core.money.fees import LateFeeRates, RateSchedule, accrued_fee
from core.money.rates import rate_schedule

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BillDue:
    """What is still owed on one bill."""

    bill_id: int
    period: dt.date
    due_date: dt.date
    amount: Decimal
    principal: Decimal
    late_fee: Decimal
    days_overdue: int

    @property
    def total(self) -> Decimal:
        return self.principal + self.late_fee


@dataclass(frozen=True)
class AmountDue:
    """An account's bills with something outstanding on ``as_of``, oldest first."""

    account_id: int
    as_of: dt.date
    bills: tuple[BillDue, ...]
    principal: Decimal
    late_fee: Decimal
    #: Money paid but allocated to no bill (an overpayment), owed back or kept as credit.
    credit: Decimal
    buckets: AgeBuckets
    oldest_days_overdue: int
    stage: Stage

    @property
    def total(self) -> Decimal:
        return self.principal + self.late_fee

    @property
    def net(self) -> Decimal:
        """What is left to collect once the account's unallocated credit is counted."""
        return max(ZERO, self.total - self.credit)

    @classmethod
    def of(
        cls, account_id: int, as_of: dt.date, lines: Sequence[BillDue], credit: Decimal
    ) -> AmountDue:
        """The account's figures from its owed bill lines (oldest first) and its credit."""
        oldest = max((b.days_overdue for b in lines), default=0)
        return cls(
            account_id=account_id,
            as_of=as_of,
            bills=tuple(lines),
            principal=sum((b.principal for b in lines), ZERO),
            late_fee=sum((b.late_fee for b in lines), ZERO),
            credit=max(ZERO, credit),
            buckets=age_buckets((b.days_overdue, b.principal) for b in lines),
            oldest_days_overdue=oldest,
            stage=escalation_stage(oldest),
        )


def local_date(instant: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The station-local business day of an instant."""
    return instant.astimezone(tz).date()


@dataclass
class _Paid:
    principal: Decimal = ZERO
    fee: Decimal = ZERO
    fee_accrued_on_paid: Decimal = ZERO
    #: The day its last principal was paid (dated, not reversed by D).
    last_paid_on: dt.date | None = None


def amount_due(
    session: Session, account_id: int, as_of: dt.date, *, rates: LateFeeRates | None = None
) -> AmountDue:
    """What ``account_id`` owes if it pays on ``as_of`` (station-local date).

    Parameters
    ----------
    session
        An open session; nothing is written.
    account_id
        The account; raises ``LookupError`` if it does not exist.
    as_of
        Payments collected after this local date are ignored, fees accrue up to it.
    rates
        Price every day with these rates (tests, what-if); default: the station's
        versions, each day at the rates in force on it (:func:`rate_schedule`).
    """
    account = session.get(Account, account_id)
    if account is None:
        raise LookupError(f"account {account_id} does not exist")
    station = session.get(Station, account.station_id)
    assert station is not None
    tz = ZoneInfo(station.timezone)
    schedule = (
        RateSchedule.constant(rates) if rates is not None else rate_schedule(session, station.id)
    )
    residential = account.category is Category.RESIDENTIAL

    payments = session.execute(
        select(
            Payment.id, Payment.kind, Payment.reverses_id, Payment.amount, Payment.collected_at
        ).where(Payment.account_id == account_id)
    ).all()
    dated: dict[uuid.UUID, dt.date] = {}
    void: set[uuid.UUID] = set()
    credit = ZERO
    for p in payments:
        day = local_date(p.collected_at, tz)
        if day > as_of:
            continue
        dated[p.id] = day
        if p.kind is EntryKind.REVERSAL and p.reverses_id is not None:
            void.update((p.id, p.reverses_id))
    for p in payments:
        if p.id in dated and p.id not in void:
            credit += p.amount

    bills = list(
        session.scalars(
            select(Bill)
            .where(Bill.account_id == account_id, Bill.period <= as_of)
            .order_by(Bill.period, Bill.id)
        )
    )
    due_by_bill = {b.id: b.due_date for b in bills}
    adjusted = adjustments_by_bill(session, list(due_by_bill))
    paid: dict[int, _Paid] = defaultdict(_Paid)
    allocations = session.execute(
        select(
            PaymentAllocation.bill_id,
            PaymentAllocation.payment_id,
            PaymentAllocation.principal,
            PaymentAllocation.late_fee,
        )
        .join(Bill, Bill.id == PaymentAllocation.bill_id)
        .where(Bill.account_id == account_id)
    ).all()
    for a in allocations:
        paid_on = dated.get(a.payment_id)
        if paid_on is None or a.payment_id in void or a.bill_id not in due_by_bill:
            continue
        entry = paid[a.bill_id]
        entry.principal += a.principal
        entry.fee += a.late_fee
        credit -= a.principal + a.late_fee
        entry.fee_accrued_on_paid += accrued_fee(
            a.principal, due_by_bill[a.bill_id], paid_on, residential=residential, schedule=schedule
        )
        if a.principal > 0 and (entry.last_paid_on is None or paid_on > entry.last_paid_on):
            entry.last_paid_on = paid_on

    lines: list[BillDue] = []
    for bill in bills:
        entry = paid[bill.id]
        amount = bill.amount + adjusted.get(bill.id, ZERO)
        principal = max(ZERO, amount - entry.principal)
        accrued = entry.fee_accrued_on_paid + accrued_fee(
            principal, bill.due_date, as_of, residential=residential, schedule=schedule
        )
        # The minimum in force on the bill's last day of lateness: D while principal is
        # owed (as if paid on D), else the day its last principal was paid, so a later
        # version never changes what a settled bill's fee was.
        ended = as_of if principal > 0 or entry.last_paid_on is None else entry.last_paid_on
        minimum = schedule.on(ended).minimum
        if ZERO < accrued < minimum:
            accrued = minimum
        fee = max(ZERO, accrued - entry.fee)
        if principal > 0 or fee > 0:
            days = max(0, (as_of - bill.due_date).days)
            lines.append(
                BillDue(bill.id, bill.period, bill.due_date, amount, principal, fee, days)
            )

    return AmountDue.of(account_id, as_of, lines, credit)
