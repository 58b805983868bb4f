"""Late fees (滞纳金) under the classic rule of 供电营业规则 art. 98.

Residential users pay 1‰ of the overdue principal per day; other users pay 2‰
per day for days within the bill's own year and 3‰ per day once the arrears
have crossed into a later year; counted from the day after the due date to the
payment day inclusive; a positive total under 1 yuan is charged as 1 yuan.
Rates are parameters so that a station can override them, in versions: each day
of lateness accrues at the rates in force on that day (:class:`RateSchedule`), so
a new version never changes the fee of days before it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class LateFeeRates:
    """Daily late-fee rates and the minimum charge."""

    residential: Decimal = Decimal("0.001")
    other_current_year: Decimal = Decimal("0.002")
    other_earlier_years: Decimal = Decimal("0.003")
    minimum: Decimal = Decimal("1.00")


CLASSIC_RATES = LateFeeRates()


@dataclass(frozen=True)
class RateSchedule:
    """Rate versions by the first day each is in force, oldest first; the classic rates
    before the first one. Built for a station by :func:`core.money.rates.rate_schedule`."""

    changes: tuple[tuple[dt.date, LateFeeRates], ...] = ()

    @classmethod
    def constant(cls, rates: LateFeeRates) -> RateSchedule:
        """``rates`` on every day (what-if and tests: "price everything with these")."""
        return cls(((dt.date.min, rates),))

    def on(self, day: dt.date) -> LateFeeRates:
        """The rates in force on ``day``."""
        i = bisect.bisect_right(self._firsts, day)
        return self.changes[i - 1][1] if i else CLASSIC_RATES

    @functools.cached_property
    def _firsts(self) -> list[dt.date]:
        """Each version's first day (the schedule is frozen: worked out once)."""
        return [d for d, _ in self.changes]

    def periods(
        self, first: dt.date, last: dt.date
    ) -> Iterator[tuple[dt.date, dt.date, LateFeeRates]]:
        """``(from, to, rates)`` covering the days ``first``..``last`` inclusive."""
        starts = [d for d, _ in self.changes if first < d <= last]
        bounds = [first, *starts]
        for i, start in enumerate(bounds):
            end = bounds[i + 1] - dt.timedelta(1) if i + 1 < len(bounds) else last
            yield start, end, self.on(start)


def accrued_fee(
    principal: Decimal,
    due_date: dt.date,
    until: dt.date,
    *,
    residential: bool,
    schedule: RateSchedule,
) -> Decimal:
    """The fee ``principal`` accrues from the day after ``due_date`` to ``until``
    inclusive, each day at the rates in force on it, rounded half-up to the fen once;
    no minimum (it applies to a bill's total, see :func:`late_fee`)."""
    if until <= due_date or principal <= 0:
        return ZERO
    fee = _daily_rates(due_date, until, residential, schedule)
    return (principal * fee).quantize(FEN, rounding=ROUND_HALF_UP)


@functools.lru_cache(maxsize=8192)
def _daily_rates(
    due_date: dt.date, until: dt.date, residential: bool, schedule: RateSchedule
) -> Decimal:
    """The sum of the daily rates from the day after ``due_date`` to ``until``: what one
    yuan of principal accrues (exact decimals; the same for every bill due that day, so
    a station's thousands of bills share a few hundred)."""
    year_end = dt.date(due_date.year, 12, 31)
    fee = Decimal(0)
    for start, end, rates in schedule.periods(due_date + dt.timedelta(1), until):
        days = (end - start).days + 1
        if residential:
            fee += rates.residential * days
        else:
            in_year = max(0, (min(end, year_end) - start).days + 1)
            fee += rates.other_current_year * in_year
            fee += rates.other_earlier_years * (days - in_year)
    return fee


def late_fee(
    principal: Decimal,
    due_date: dt.date,
    as_of: dt.date,
    *,
    residential: bool,
    rates: LateFeeRates | RateSchedule = CLASSIC_RATES,
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
        The station's rate versions (each day at its own rates; the minimum of the
        version in force on ``as_of``), or one set of rates for every day.

    Returns
    -------
    Decimal
        The fee rounded half-up to the fen, at least the minimum when anything is late.
    """
    schedule = RateSchedule.constant(rates) if isinstance(rates, LateFeeRates) else rates
    if as_of <= due_date or principal <= 0:
        return ZERO
    fee = accrued_fee(principal, due_date, as_of, residential=residential, schedule=schedule)
    return max(fee, schedule.on(as_of).minimum)
