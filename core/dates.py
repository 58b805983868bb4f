"""The days and instants the service accepts from any input (API bodies, query strings,
batch items, bills and payment files): 2000-01-01 to 2099-12-31.

Python's dates run from year 1 to 9999, so a date at either end overflows the moment
it is moved to UTC or has a month added (a 500, not a field error); bounding every input
here keeps all later arithmetic in range.
"""

from __future__ import annotations

import datetime as dt

FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)
FIRST_INSTANT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LAST_INSTANT = dt.datetime(2099, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
DAY_MESSAGE = f"A day from {FIRST_DAY} to {LAST_DAY}."
INSTANT_MESSAGE = f"A time from {FIRST_DAY} to {LAST_DAY} (UTC)."


def day_in_range(day: dt.date) -> bool:
    """Whether ``day`` (a date, or a datetime's day) is one the service accepts."""
    if isinstance(day, dt.datetime):
        return instant_in_range(day)
    return FIRST_DAY <= day <= LAST_DAY


def instant_in_range(instant: dt.datetime) -> bool:
    """Whether ``instant`` is one the service accepts (a naive one is read as UTC)."""
    aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=dt.UTC)
    return FIRST_INSTANT <= aware <= LAST_INSTANT


def bounded_day(day: dt.date) -> dt.date:
    """``day`` itself, or ValueError (with the message a field error shows) if out of range."""
    if not day_in_range(day):
        raise ValueError(DAY_MESSAGE)
    return day
