"""Late-fee rate versions are never retroactive: a day of lateness accrues at the rates
in force on that day, so a new version leaves the fee of earlier days, and what was
settled, as it was. Each example holds amount_due and bills_due to the same figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from core.models import Category, Role
from core.models.ledger_extra import LateFeeRate
from core.money import amount_due, rates_for
from core.money.fees import CLASSIC_RATES, LateFeeRates, RateSchedule, late_fee
from core.money.rates import rate_schedule
from tests.core.money.test_due_sql import ZONES, _at, _check_day, _payment

D = Decimal


def _version(
    session: Session,
    station_id: int | None,
    starts: dt.date,
    rate: str,
    minimum: str = "1.00",
) -> None:
    """A version charging ``rate`` per day on every kind of account."""
    session.add(
        LateFeeRate(
            station_id=station_id,
            effective_from=starts,
            residential=D(rate),
            other_current_year=D(rate),
            other_earlier_years=D(rate),
            minimum=D(minimum),
        )
    )
    session.flush()


def _account(factory: Any, category: Category = Category.RESIDENTIAL) -> Any:
    station = factory.station()
    return factory.account(station, factory.user(Role.COLLECTOR, station), category=category)


def _fees(session: Session, account: Any, day: dt.date) -> list[tuple[int, Decimal, Decimal]]:
    """(bill, principal, late fee) of amount_due, once bills_due is checked equal to it."""
    _check_day(session, [account], day, users=False)
    return [
        (b.bill_id, b.principal, b.late_fee) for b in amount_due(session, account.id, day).bills
    ]


def test_a_rate_change_mid_lateness_splits_the_days(factory: Any, session: Session) -> None:
    """1000.00 due 06-10, a national 1 per mille from 07-01 (was the classic 2 per mille
    for non-residential users): on 07-10, 20 days x 2.00 + 10 days x 1.00 = 50.00."""
    account = _account(factory, Category.NON_RESIDENTIAL)
    bill = factory.bill(account, dt.date(2026, 5, 1), "1000.00", dt.date(2026, 6, 10))
    _version(session, None, dt.date(2026, 7, 1), "0.001")
    assert _fees(session, account, dt.date(2026, 7, 10)) == [(bill.id, D("1000.00"), D("50.00"))]
    assert _fees(session, account, dt.date(2026, 6, 30)) == [(bill.id, D("1000.00"), D("40.00"))]


def test_a_bill_paid_before_a_new_version_keeps_its_fee(factory: Any, session: Session) -> None:
    """Paid on 04-09 with its 6.00 fee (30 days at 1 per mille): a station version of
    5 per mille and a 10.00 minimum from 05-01 asks nothing more of it in June."""
    account = _account(factory)
    bill = factory.bill(account, dt.date(2026, 2, 1), "200.00", dt.date(2026, 3, 10))
    _payment(session, account, _at(dt.date(2026, 4, 9), 600, ZONES[0]), [(bill, "200.00", "6.00")])
    _version(session, account.station_id, dt.date(2026, 5, 1), "0.005", minimum="10.00")
    assert _fees(session, account, dt.date(2026, 6, 15)) == []


def test_a_paid_part_keeps_the_fee_it_accrued(factory: Any, session: Session) -> None:
    """100.00 due 03-10; 50.00 paid on 03-20 without its fee (10 days at 1 per mille:
    0.50); 3 per mille from 04-01. On 04-10: 0.50 + 50.00 x (21 x 0.001 + 10 x 0.003)
    = 0.50 + 2.55 = 3.05."""
    account = _account(factory)
    bill = factory.bill(account, dt.date(2026, 2, 1), "100.00", dt.date(2026, 3, 10))
    _payment(session, account, _at(dt.date(2026, 3, 20), 600, ZONES[0]), [(bill, "50.00", "0")])
    _version(session, None, dt.date(2026, 4, 1), "0.003")
    assert _fees(session, account, dt.date(2026, 4, 10)) == [(bill.id, D("50.00"), D("3.05"))]


def test_the_minimum_is_the_one_in_force_when_lateness_ends(factory: Any, session: Session) -> None:
    """Two bills 3 days late at 1 per mille (0.15 each); a 2.50 minimum from 03-20. The one
    paid on 03-13 (with the 1.00 minimum of its day) owes nothing more; the one still
    owed on 03-25 is priced as if paid that day: 15 days, still under 2.50."""
    account = _account(factory)
    paid = factory.bill(account, dt.date(2026, 2, 1), "50.00", dt.date(2026, 3, 10))
    owed = factory.bill(account, dt.date(2026, 1, 1), "50.00", dt.date(2026, 3, 10))
    _payment(session, account, _at(dt.date(2026, 3, 13), 600, ZONES[0]), [(paid, "50.00", "1.00")])
    _version(session, account.station_id, dt.date(2026, 3, 20), "0.001", minimum="2.50")
    assert _fees(session, account, dt.date(2026, 3, 25)) == [(owed.id, D("50.00"), D("2.50"))]
    assert _fees(session, account, dt.date(2026, 3, 15)) == [(owed.id, D("50.00"), D("1.00"))]


def test_a_station_version_wins_over_a_newer_national_one(factory: Any, session: Session) -> None:
    """Station 0.5 per mille from 01-01, national 2 per mille from 03-01: the station's own
    version stays in force (10 days x 200.00 x 0.0005 = 1.00, minimum 0)."""
    account = _account(factory)
    bill = factory.bill(account, dt.date(2026, 2, 1), "200.00", dt.date(2026, 3, 10))
    _version(session, account.station_id, dt.date(2026, 1, 1), "0.0005", minimum="0.00")
    _version(session, None, dt.date(2026, 3, 1), "0.002")
    assert _fees(session, account, dt.date(2026, 3, 20)) == [(bill.id, D("200.00"), D("1.00"))]
    assert rates_for(session, account.station_id, dt.date(2026, 3, 20)).residential == D("0.0005")


def test_rates_override_prices_every_day(factory: Any, session: Session) -> None:
    """``rates=`` (what-if) prices the whole lateness with one set of rates, versions or not."""
    account = _account(factory)
    factory.bill(account, dt.date(2026, 2, 1), "200.00", dt.date(2026, 3, 10))
    _version(session, None, dt.date(2026, 4, 1), "0.005")
    what_if = LateFeeRates(residential=D("0.002"))
    due = amount_due(session, account.id, dt.date(2026, 4, 9), rates=what_if)
    assert due.late_fee == D("200.00") * D("0.002") * 30


def test_late_fee_over_a_schedule_crosses_the_year(factory: Any, session: Session) -> None:
    """Non-residential, due 12-20: 11 days at 2 per mille, then 3 per mille in the new year
    until a national version of 1 per mille from 01-06: 1000 x (0.022 + 5 x 0.003 +
    5 x 0.001) = 42.00; the same with the classic rates only is 52.00."""
    account = _account(factory, Category.NON_RESIDENTIAL)
    factory.bill(account, dt.date(2025, 11, 1), "1000.00", dt.date(2025, 12, 20))
    _version(session, None, dt.date(2026, 1, 6), "0.001")
    schedule = rate_schedule(session, account.station_id)
    day = dt.date(2026, 1, 10)
    assert late_fee(
        D("1000.00"), dt.date(2025, 12, 20), day, residential=False, rates=schedule
    ) == (D("42.00"))
    assert late_fee(
        D("1000.00"), dt.date(2025, 12, 20), day, residential=False, rates=CLASSIC_RATES
    ) == D("52.00")
    assert _fees(session, account, day)[0][2] == D("42.00")
    assert RateSchedule().on(day) == CLASSIC_RATES


def test_the_planner_prices_lateness_by_the_same_rule(factory: Any, session: Session) -> None:
    """The planner's estimate for an untouched bill is amount_due's fee (days split at a
    version's first day), not the whole lateness at the plan day's rates."""
    from core.planning.candidates import amounts_due

    account = _account(factory, Category.NON_RESIDENTIAL)
    factory.bill(account, dt.date(2026, 5, 1), "1000.00", dt.date(2026, 6, 10))
    _version(session, account.station_id, dt.date(2026, 7, 1), "0.001")
    day = dt.date(2026, 7, 10)
    schedule = rate_schedule(session, account.station_id)
    est = amounts_due(session, day, station_id=account.station_id, rates=schedule)[account.id]
    assert est.late_fee == amount_due(session, account.id, day).late_fee == D("50.00")
