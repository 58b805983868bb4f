"""Amount due, late-fee worked examples, ageing and escalation (core.money)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from core.models import Category, Channel, EntryKind, Payment, PaymentAllocation, Role
from core.models.ledger_extra import LateFeeRate
from core.money import Stage, amount_due, plan_allocation
from core.money.fees import late_fee

D = Decimal
CST = dt.timezone(dt.timedelta(hours=8))


def _pay(session: Any, account: Any, on: dt.date, lines: list[tuple[Any, str, str]]) -> Payment:
    total = sum((D(p) + D(f) for _, p, f in lines), D("0"))
    payment = Payment(
        id=uuid.uuid4(),
        kind=EntryKind.PAYMENT,
        account_id=account.id,
        amount=total,
        channel=Channel.COUNTER,
        collected_at=dt.datetime.combine(on, dt.time(10, 0), CST),
    )
    session.add(payment)
    session.flush()
    for bill, principal, fee in lines:
        session.add(
            PaymentAllocation(
                payment_id=payment.id, bill_id=bill.id, principal=D(principal), late_fee=D(fee)
            )
        )
    session.flush()
    return payment


def _account(factory: Any, category: Category = Category.RESIDENTIAL) -> Any:
    station = factory.station()
    collector = factory.user(Role.COLLECTOR, station)
    return factory.account(station, collector, category=category)


def test_residential_fee_is_one_per_mille_per_day(factory: Any, session: Any) -> None:
    """Residential: 200.00 paid 30 days late costs 200 x 0.1% x 30 = 6.00."""
    account = _account(factory)
    factory.bill(account, dt.date(2026, 2, 1), "200.00", dt.date(2026, 3, 10))
    due = amount_due(session, account.id, dt.date(2026, 4, 9))
    assert (due.principal, due.late_fee, due.total) == (D("200.00"), D("6.00"), D("206.00"))


def test_non_residential_cross_year_fee_uses_both_rates(factory: Any, session: Any) -> None:
    """Non-residential: 11 days at 0.2% in the bill's year, then 10 days at 0.3% = 52.00."""
    account = _account(factory, Category.NON_RESIDENTIAL)
    factory.bill(account, dt.date(2025, 11, 1), "1000.00", dt.date(2025, 12, 20))
    due = amount_due(session, account.id, dt.date(2026, 1, 10))
    assert due.late_fee == D("52.00")
    assert due.bills[0].days_overdue == 21


def test_non_residential_same_year_fee_is_two_per_mille(factory: Any, session: Any) -> None:
    """Non-residential inside one year: 500.00 x 0.2% x 15 days = 15.00."""
    account = _account(factory, Category.NON_RESIDENTIAL)
    factory.bill(account, dt.date(2026, 5, 1), "500.00", dt.date(2026, 6, 10))
    assert amount_due(session, account.id, dt.date(2026, 6, 25)).late_fee == D("15.00")


def test_fee_minimum_is_one_yuan(factory: Any, session: Any) -> None:
    """50.00 three days late would cost 0.15: the 1-yuan minimum applies."""
    account = _account(factory)
    factory.bill(account, dt.date(2026, 2, 1), "50.00", dt.date(2026, 3, 10))
    assert amount_due(session, account.id, dt.date(2026, 3, 13)).late_fee == D("1.00")


def test_no_fee_on_or_before_the_due_date(factory: Any, session: Any) -> None:
    """A bill paid on its due date carries no fee and no arrears stage."""
    account = _account(factory)
    factory.bill(account, dt.date(2026, 2, 1), "50.00", dt.date(2026, 3, 10))
    due = amount_due(session, account.id, dt.date(2026, 3, 10))
    assert (due.late_fee, due.stage, due.buckets.total) == (D("0.00"), Stage.NONE, D("0.00"))


def test_partial_payment_freezes_the_fee_on_the_paid_part(factory: Any, session: Any) -> None:
    """100.00 due 03-10; 20.00 paid on 03-20 (fee 1.00 + 19.00); on 04-09: 81.00 + 1.62."""
    account = _account(factory)
    bill = factory.bill(account, dt.date(2026, 2, 1), "100.00", dt.date(2026, 3, 10))
    first = amount_due(session, account.id, dt.date(2026, 3, 20))
    plan = plan_allocation(first, D("20.00"))
    assert [(x.principal, x.late_fee) for x in plan.lines] == [(D("19.00"), D("1.00"))]
    _pay(session, account, dt.date(2026, 3, 20), [(bill, "19.00", "1.00")])
    due = amount_due(session, account.id, dt.date(2026, 4, 9))
    # accrued: 19 x 0.1% x 10 = 0.19 (frozen) + 81 x 0.1% x 30 = 2.43; paid 1.00
    assert (due.principal, due.late_fee) == (D("81.00"), D("1.62"))


def test_fully_paid_bill_stops_counting_at_once(factory: Any, session: Any) -> None:
    """Paying principal and fee leaves nothing due and no escalation."""
    account = _account(factory)
    bill = factory.bill(account, dt.date(2026, 2, 1), "200.00", dt.date(2026, 3, 10))
    _pay(session, account, dt.date(2026, 4, 9), [(bill, "200.00", "6.00")])
    due = amount_due(session, account.id, dt.date(2026, 4, 9))
    assert (due.bills, due.total, due.stage) == ((), D("0.00"), Stage.NONE)


def test_reversed_payment_counts_as_unpaid_again(factory: Any, session: Any) -> None:
    """A payment and its reversal cancel: the bill is owed in full again."""
    account = _account(factory)
    bill = factory.bill(account, dt.date(2026, 2, 1), "200.00", dt.date(2026, 3, 10))
    original = _pay(session, account, dt.date(2026, 3, 1), [(bill, "200.00", "0.00")])
    reversal = Payment(
        id=uuid.uuid4(),
        kind=EntryKind.REVERSAL,
        account_id=account.id,
        amount=D("200.00"),
        channel=Channel.COUNTER,
        collected_at=dt.datetime(2026, 3, 2, 10, tzinfo=CST),
        reverses_id=original.id,
        reason="typo",
    )
    session.add(reversal)
    session.flush()
    session.add(
        PaymentAllocation(
            payment_id=reversal.id, bill_id=bill.id, principal=D("-200.00"), late_fee=D("0.00")
        )
    )
    session.flush()
    assert amount_due(session, account.id, dt.date(2026, 3, 5)).principal == D("200.00")


def test_ageing_buckets_and_stage_follow_the_oldest_bill(factory: Any, session: Any) -> None:
    """Bills 10, 45, 75 and 120 days late fill the four buckets; stage supervisor_visit."""
    account = _account(factory)
    as_of = dt.date(2026, 9, 30)
    for months, days in ((1, 10), (2, 45), (3, 75), (4, 120)):
        factory.bill(
            account, dt.date(2026, 9 - months, 1), f"{months}0.00", as_of - dt.timedelta(days)
        )
    due = amount_due(session, account.id, as_of)
    b = due.buckets
    assert (b.d1_30, b.d31_60, b.d61_90, b.d90_plus) == (D("10"), D("20"), D("30"), D("40"))
    assert due.stage is Stage.SUPERVISOR_VISIT
    assert due.oldest_days_overdue == 120


def test_allocation_goes_oldest_first_and_reports_overpayment(factory: Any, session: Any) -> None:
    """300.00 pays the older bill (with 19 days of fee) then the newer one; 48.10 is left over."""
    account = _account(factory)
    old = factory.bill(account, dt.date(2026, 1, 1), "100.00", dt.date(2026, 2, 10))
    new = factory.bill(account, dt.date(2026, 2, 1), "150.00", dt.date(2026, 3, 10))
    plan = plan_allocation(amount_due(session, account.id, dt.date(2026, 3, 1)), D("300.00"))
    assert [(x.bill_id, x.principal, x.late_fee) for x in plan.lines] == [
        (old.id, D("100.00"), D("1.90")),
        (new.id, D("150.00"), D("0.00")),
    ]
    assert plan.unallocated == D("48.10")


def test_credit_from_an_overpayment_reduces_what_is_left_to_collect(
    factory: Any, session: Any
) -> None:
    """A 30.00 overpayment stays as credit: a later 100.00 bill leaves 70.00 to collect."""
    account = _account(factory)
    first = factory.bill(account, dt.date(2026, 1, 1), "50.00", dt.date(2026, 2, 10))
    payment = _pay(session, account, dt.date(2026, 2, 1), [(first, "50.00", "0.00")])
    extra = Payment(
        id=uuid.uuid4(),
        kind=EntryKind.PAYMENT,
        account_id=account.id,
        amount=D("30.00"),
        channel=Channel.COUNTER,
        collected_at=payment.collected_at,
    )
    session.add(extra)
    session.flush()
    factory.bill(account, dt.date(2026, 2, 1), "100.00", dt.date(2026, 3, 10))
    due = amount_due(session, account.id, dt.date(2026, 3, 1))
    assert (due.total, due.credit, due.net) == (D("100.00"), D("30.00"), D("70.00"))


def test_allocation_hint_goes_first(factory: Any, session: Any) -> None:
    """A hinted bill is paid before older ones."""
    account = _account(factory)
    factory.bill(account, dt.date(2026, 1, 1), "100.00", dt.date(2026, 2, 10))
    new = factory.bill(account, dt.date(2026, 2, 1), "150.00", dt.date(2026, 3, 10))
    due = amount_due(session, account.id, dt.date(2026, 3, 1))
    plan = plan_allocation(due, D("150.00"), hint=[new.id])
    assert [(x.bill_id, x.principal) for x in plan.lines] == [(new.id, D("150.00"))]


def test_station_rate_version_overrides_national(factory: Any, session: Any) -> None:
    """A station's own rate version, once effective, replaces the national default for
    the days from then on: 21 days at 1 per mille, then 9 days at 0.5 per mille."""
    account = _account(factory)
    factory.bill(account, dt.date(2026, 2, 1), "200.00", dt.date(2026, 3, 10))
    session.add(
        LateFeeRate(
            station_id=account.station_id,
            effective_from=dt.date(2026, 4, 1),
            residential=D("0.0005"),
            other_current_year=D("0.001"),
            other_earlier_years=D("0.002"),
            minimum=D("0.00"),
        )
    )
    session.flush()
    assert amount_due(session, account.id, dt.date(2026, 3, 31)).late_fee == D("4.20")
    assert amount_due(session, account.id, dt.date(2026, 4, 9)).late_fee == D("4.20") + D("0.90")


def test_late_fee_rule_is_geo_fees(factory: Any, session: Any) -> None:
    """amount_due agrees with core.money.fees.late_fee for an untouched bill."""
    account = _account(factory, Category.NON_RESIDENTIAL)
    factory.bill(account, dt.date(2024, 11, 1), "333.33", dt.date(2024, 12, 10))
    as_of = dt.date(2026, 2, 3)
    expected = late_fee(D("333.33"), dt.date(2024, 12, 10), as_of, residential=False)
    assert amount_due(session, account.id, as_of).late_fee == expected
