"""The demo station's calendar: Spring Festival and harvest returns, the festival holiday,
and market days per village. The generator stores it as the station's configured
calendar (what a supervisor would enter); the hidden truth (``demo.truth``) follows it."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from core.models import PeriodKind
from core.planning.calendar import Market, Period, StationCalendar

#: Spring Festival (春节, first day of the lunar year).
SPRING_FESTIVAL = {
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
}
#: Migrants come home this many days before the festival and leave this many after.
RETURN_BEFORE = 14
RETURN_AFTER = 10
#: The autumn harvest (秋收, with the National Day week): migrants come home to bring it in.
HARVEST = ((9, 25), (10, 8))


def periods(years: Sequence[int]) -> list[Period]:
    out = []
    for y in years:
        sf = SPRING_FESTIVAL.get(y)
        if sf is not None:
            out.append(
                Period(
                    PeriodKind.FESTIVAL,
                    f"春节 {y}",
                    sf - dt.timedelta(days=RETURN_BEFORE),
                    sf + dt.timedelta(days=RETURN_AFTER),
                )
            )
            out.append(
                Period(
                    PeriodKind.HOLIDAY,
                    f"春节假期 {y}",
                    sf - dt.timedelta(days=1),
                    sf + dt.timedelta(days=5),
                )
            )
        (m0, d0), (m1, d1) = HARVEST
        out.append(Period(PeriodKind.HARVEST, f"秋收 {y}", dt.date(y, m0, d0), dt.date(y, m1, d1)))
    return out


#: 逢X market patterns (days of the month) a township's villages use.
PATTERNS = ((1, 4, 7), (2, 5, 8), (3, 6, 9))


def markets(rng: random.Random, villages: Sequence[str]) -> dict[str, Market]:
    """Four in ten villages market on a weekday, four in ten on 逢X days, the rest never."""
    out: dict[str, Market] = {}
    for v in villages:
        pick = rng.random()
        if pick < 0.4:
            out[v] = Market(weekdays=frozenset({rng.randint(1, 5)}))
        elif pick < 0.8:
            days = rng.choice(PATTERNS)
            out[v] = Market(month_days=frozenset(d + 10 * k for d in days for k in range(3)))
    return out


def demo_calendar(rng: random.Random, villages: Sequence[str], today: dt.date) -> StationCalendar:
    years = range(today.year - 2, today.year + 2)
    return StationCalendar(tuple(periods(years)), markets(rng, villages))
