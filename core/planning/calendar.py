"""The station's calendar of the villages' rhythms, as the planner reads it.

Migrant households come home at Spring Festival and the harvest (*return* periods); on a
village's market days (赶集) its people are at the market, mostly in the morning. The
station configures when (``core.models.seasons``); how much either changes P(home) is
learned from visits (``core.planning.estimates``). Holidays are not working days of the
rolling horizon (``core.planning.horizon``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.errors import Invalid
from core.models import Account, CalendarPeriod, MarketDay, PeriodKind

#: ISO weekdays collectors work when the station says nothing else (Monday to Friday).
WORKING_WEEKDAYS = frozenset({1, 2, 3, 4, 5})
#: Limits on what a station may configure (the API validates against them).
MAX_PERIODS = 200
MAX_PERIOD_DAYS = 62
MAX_MARKET_VILLAGES = 2000


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    name: str
    first_day: dt.date
    last_day: dt.date

    def covers(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class Market:
    """A village's market days: ISO weekdays and days of the month."""

    weekdays: frozenset[int] = frozenset()
    month_days: frozenset[int] = frozenset()

    def on(self, day: dt.date) -> bool:
        return day.isoweekday() in self.weekdays or day.day in self.month_days


@dataclass(frozen=True)
class DayContext:
    """What the calendar says about one village on one day."""

    #: ISO weekday, 1 (Monday) .. 7 (Sunday).
    weekday: int
    #: Inside a festival or harvest return period.
    returning: bool = False
    #: One of the village's market days.
    market: bool = False


@dataclass(frozen=True)
class StationCalendar:
    periods: tuple[Period, ...] = ()
    markets: Mapping[str, Market] = field(default_factory=dict)

    def returning(self, day: dt.date) -> bool:
        """Migrant households are home: a festival or harvest period covers ``day``."""
        return any(p.kind is not PeriodKind.HOLIDAY and p.covers(day) for p in self.periods)

    def holiday(self, day: dt.date) -> bool:
        return any(p.kind is PeriodKind.HOLIDAY and p.covers(day) for p in self.periods)

    def context(self, day: dt.date, village: str) -> DayContext:
        market = self.markets.get(village)
        return DayContext(
            day.isoweekday(), self.returning(day), market is not None and market.on(day)
        )

    def working_days(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """Working days from ``first`` to ``last`` (both included): weekdays the station
        works that are no holiday."""
        out = []
        day = first
        while day <= last:
            if day.isoweekday() in WORKING_WEEKDAYS and not self.holiday(day):
                out.append(day)
            day += dt.timedelta(days=1)
        return out


def load_calendar(session: Session, station_id: int) -> StationCalendar:
    """The station's calendar (empty if it configured none)."""
    periods = tuple(
        Period(p.kind, p.name, p.first_day, p.last_day)
        for p in session.scalars(
            select(CalendarPeriod)
            .where(CalendarPeriod.station_id == station_id)
            .order_by(CalendarPeriod.first_day, CalendarPeriod.id)
        )
    )
    markets = {
        m.village: Market(frozenset(m.weekdays), frozenset(m.month_days))
        for m in session.scalars(select(MarketDay).where(MarketDay.station_id == station_id))
    }
    return StationCalendar(periods, markets)


def replace_calendar(
    session: Session,
    station_id: int,
    periods: Sequence[Period],
    markets: Mapping[str, Market],
) -> StationCalendar:
    """Make ``periods`` and ``markets`` the station's whole calendar (idempotent).

    Raises
    ------
    Invalid
        A period ending before it starts or longer than :data:`MAX_PERIOD_DAYS`, two
        periods of one kind overlapping, a weekday outside 1..7 or a month day outside
        1..31, a village with no account at the station; field errors shaped like the body.
    """
    errors: dict[str | int, object] = {}
    if len(periods) > MAX_PERIODS:
        errors["periods"] = [f"At most {MAX_PERIODS} periods."]
    for i, p in enumerate(periods):
        if p.last_day < p.first_day:
            errors.setdefault("periods", {})[i] = {"last_day": ["Ends before it starts."]}  # type: ignore[index]
        elif (p.last_day - p.first_day).days + 1 > MAX_PERIOD_DAYS:
            errors.setdefault("periods", {})[i] = {  # type: ignore[index]
                "last_day": [f"A period lasts at most {MAX_PERIOD_DAYS} days."]
            }
    for i, p in enumerate(periods):
        for j in range(i):
            q = periods[j]
            if p.kind is q.kind and p.first_day <= q.last_day and q.first_day <= p.last_day:
                errors.setdefault("periods", {})[i] = {  # type: ignore[index]
                    "first_day": [f"Overlaps period {j} of the same kind."]
                }
    if len(markets) > MAX_MARKET_VILLAGES:
        errors["market_days"] = [f"At most {MAX_MARKET_VILLAGES} villages."]
    known = _villages(session, station_id, markets)
    for village, m in markets.items():
        bad: dict[str, list[str]] = {}
        if any(not 1 <= d <= 7 for d in m.weekdays):
            bad["weekdays"] = ["ISO weekdays are 1 (Monday) to 7 (Sunday)."]
        if any(not 1 <= d <= 31 for d in m.month_days):
            bad["month_days"] = ["Days of the month are 1 to 31."]
        if village not in known:
            bad["village"] = ["No account of this station lies in this village."]
        if bad:
            errors.setdefault("market_days", {})[village] = bad  # type: ignore[index]
    if errors:
        raise Invalid(errors)
    session.execute(delete(CalendarPeriod).where(CalendarPeriod.station_id == station_id))
    session.execute(delete(MarketDay).where(MarketDay.station_id == station_id))
    session.add_all(
        CalendarPeriod(
            station_id=station_id,
            kind=p.kind,
            name=p.name,
            first_day=p.first_day,
            last_day=p.last_day,
        )
        for p in periods
    )
    session.add_all(
        MarketDay(
            station_id=station_id,
            village=v,
            weekdays=sorted(m.weekdays),
            month_days=sorted(m.month_days),
        )
        for v, m in sorted(markets.items())
    )
    session.flush()
    return load_calendar(session, station_id)


def _villages(session: Session, station_id: int, names: Iterable[str]) -> set[str]:
    wanted = list(names)
    if not wanted:
        return set()
    stmt = (
        select(Account.village)
        .where(Account.station_id == station_id, Account.village.in_(wanted))
        .distinct()
    )
    return set(session.scalars(stmt))
