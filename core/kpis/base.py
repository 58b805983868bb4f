"""What a KPI is about (a subject) and over which days (a period)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import Invalid
from core.models import Account
from core.scope import Scope, visible

#: The longest period one KPI request may cover.
MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class Subject:
    """The accounts a figure is about: a station's, a collector's (the accounts they are
    responsible for), a village's (within a station), or all in the caller's scope
    (the county, for an admin). Fields combine: all that are set must hold."""

    station_id: int | None = None
    collector_id: int | None = None
    village: str | None = None

    def accounts(self, scope: Scope) -> list[Any]:
        """WHERE conditions on :class:`Account`: the scope first, then the subject."""
        where: list[Any] = [visible(Account, scope)]
        if self.station_id is not None:
            where.append(Account.station_id == self.station_id)
        return where + self.beyond_station()

    def beyond_station(self) -> list[Any]:
        """The conditions of :meth:`accounts` that ``bills_due(scope=scope,
        station_id=self.station_id)`` does not apply itself: the collector's and the
        village's. None for a station or the whole scope, whose rows of ``bills_due``
        need no second look at their accounts."""
        where: list[Any] = []
        if self.collector_id is not None:
            where.append(Account.responsible_id == self.collector_id)
        if self.village is not None:
            where.append(Account.village == self.village)
        return where


@dataclass(frozen=True)
class Period:
    """Station-local days ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise Invalid({"date_to": ["Before date_from."]})
        if (self.end - self.start).days >= MAX_PERIOD_DAYS:
            raise Invalid({"date_to": [f"At most {MAX_PERIOD_DAYS} days after date_from."]})

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls(dt.date(year, month, 1), dt.date(year, month, last))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def month_of(day: dt.date) -> Period:
    return Period.month(day.year, day.month)


def previous_month_same_day(day: dt.date) -> dt.date:
    """The same day of the month before (its last day when shorter)."""
    first = day.replace(day=1) - dt.timedelta(days=1)
    return first.replace(day=min(day.day, first.day))


def serial_plans(session: Session) -> None:
    """No parallel workers for the rest of the transaction: a KPI's statements reach
    their rows through indexes and return few, and starting a parallel gather's workers
    cost more than the statement itself (field work's money: 95 ms with two workers,
    8 ms without, on the demo county)."""
    session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
