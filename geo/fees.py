"""Late fees (滞纳金) under the classic rule of 供电营业规则 art. 98.

Residential users pay 1‰ of the overdue principal per day; other users pay 2‰
per day for days within the bill's own year and 3‰ per day once the arrears
have crossed into a later year; counted from the day after the due date to the
payment day inclusive; a positive total under 1 yuan is charged as 1 yuan.
Rates are parameters so that a station can override them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


@dataclass(frozen=True)
class LateFeeRates:
    """Daily late-fee rates and the minimum charge."""

    residential: Decimal = Decimal("0.001")
    other_current_year: Decimal = Decimal("0.002")
    other_earlier_years: Decimal = Decimal("0.003")
    minimum: Decimal = Decimal("1.00")


CLASSIC_RATES = LateFeeRates()


def late_fee(
    principal: Decimal,
    due_date: dt.date,
    as_of: dt.date,
    *,
    residential: bool,
    rates: LateFeeRates = CLASSIC_RATES,
) -> Decimal:
    """Late fee on ``principal`` unpaid since ``due_date``, if paid on ``as_of``.

    Parameters
    ----------
    principal
        Unpaid principal of one bill, in yuan.
    due_date
        Last day to pay without a fee.
    as_of
        The payment day (or the day the amount due is asked for).
    residential
        Residential users pay the residential rate on every day.
    rates
        The station's rates.

    Returns
    -------
    Decimal
        The fee rounded half-up to the fen.
    """
    days = (as_of - due_date).days
    if days <= 0 or principal <= 0:
        return Decimal("0.00")
    if residential:
        fee = principal * rates.residential * days
    else:
        year_end = dt.date(due_date.year, 12, 31)
        days_in_year = max(0, min(as_of, year_end).toordinal() - due_date.toordinal())
        days_later = days - days_in_year
        fee = principal * (
            rates.other_current_year * days_in_year + rates.other_earlier_years * days_later
        )
    fee = fee.quantize(FEN, rounding=ROUND_HALF_UP)
    return max(fee, rates.minimum)
