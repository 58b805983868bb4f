"""Marshmallow fields shared by every resource: safe text, money, coordinates and times."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import ValidationError, fields

from core.dates import DAY_MESSAGE, INSTANT_MESSAGE, day_in_range, instant_in_range

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The same rule in the OpenAPI, so clients (and schemathesis) know what a Text accepts.
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
MONEY_PATTERN = r"^\d{1,10}(\.\d{1,2})?$"
_MONEY = re.compile(MONEY_PATTERN)


def documented(kwargs: dict[str, Any], **spec: Any) -> dict[str, Any]:
    """A field's ``kwargs`` with OpenAPI ``spec`` added to its metadata (the caller's win)."""
    return {**kwargs, "metadata": {**spec, **(kwargs.get("metadata") or {})}}


class Text(fields.String):
    """A string without NUL or control characters (PostgreSQL refuses NUL: a 500 otherwise)."""

    def __init__(self, *args: Any, max_length: int = 200, **kwargs: Any) -> None:
        super().__init__(*args, **documented(kwargs, maxLength=max_length, pattern=TEXT_PATTERN))
        self.max_length = max_length

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if _CONTROL.search(text):
            raise ValidationError("Control characters are not allowed.")
        if len(text) > self.max_length:
            raise ValidationError(f"Longer than {self.max_length} characters.")
        return text


class Money(fields.Field[Decimal]):
    """Yuan as a JSON string with at most two decimals, e.g. ``"123.45"``; never a float.

    Extra precision is refused rather than rounded.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        spec = {"type": "string", "pattern": MONEY_PATTERN, "example": "128.50"}
        super().__init__(*args, **documented(kwargs, **spec))

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return f"{Decimal(value):.2f}"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if not isinstance(value, str) or not _MONEY.match(value):
            raise ValidationError('An amount is a string like "123.45" (at most two decimals).')
        return Decimal(value)


class _Degrees(fields.Float):
    """A finite angle within ``[-bound, bound]``, checked before any database sees it
    (PostGIS accepts out-of-range points silently)."""

    bound = 180.0
    label = "Longitude"

    def __init__(self, **kwargs: Any) -> None:
        spec = {"minimum": -self.bound, "maximum": self.bound}
        super().__init__(allow_nan=False, **documented(kwargs, **spec))

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if isinstance(value, bool):
            raise ValidationError("Not a valid number.")
        number = float(super()._deserialize(value, attr, data, **kwargs))
        if not math.isfinite(number) or not -self.bound <= number <= self.bound:
            raise ValidationError(f"{self.label} must be within [-{self.bound:g}, {self.bound:g}].")
        return number


class Longitude(_Degrees):
    bound = 180.0
    label = "Longitude"


class Latitude(_Degrees):
    bound = 90.0
    label = "Latitude"


class Day(fields.Date):
    """A calendar day (``2026-12-10``) from 2000-01-01 to 2099-12-31: the one date field of
    every schema, so year 1 or 9999 is a field error, never an overflow later."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        spec = {"description": DAY_MESSAGE}
        super().__init__(*args, **documented(kwargs, **spec))

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        day = super()._deserialize(value, attr, data, **kwargs)
        if not day_in_range(day):
            raise ValidationError(DAY_MESSAGE)
        return day


class Instant(fields.AwareDateTime):
    """An instant with its offset, from 2000-01-01 to 2099-12-31 UTC: the one date-time
    field of every schema (a naive time is refused; year 1 or 9999 is a field error)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.datetime:
        instant = super()._deserialize(value, attr, data, **kwargs)
        if not instant_in_range(instant):
            raise ValidationError(INSTANT_MESSAGE)
        return instant


class UtcDateTime(Instant):
    """An instant in UTC (``+00:00``), whatever zone it was read in."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return super()._serialize(value.astimezone(dt.UTC), attr, obj, **kwargs)


def local_time(instant: dt.datetime | None, zone: str) -> str | None:
    """``instant`` as the station's wall-clock time, ISO 8601 with its offset."""
    return None if instant is None else instant.astimezone(ZoneInfo(zone)).isoformat()


def LocalDateTime(zone_of: Any, instant_of: Any, **kwargs: Any) -> fields.Function:  # noqa: N802
    """The same instant as a station-local wall-clock time (``+08:00`` for China):
    ``zone_of(obj)`` names the station's zone, ``instant_of(obj)`` gives the UTC instant."""
    spec = {"type": "string", "format": "date-time"}
    return fields.Function(
        lambda obj: local_time(instant_of(obj), zone_of(obj)),
        **documented(kwargs, **spec),
    )

#: The one meaning of ``location_quality`` in every output (account, GeoJSON, pack, stops).
LOCATION_QUALITY_DOC = (
    "exact: a surveyed or GPS point; approximate: the account list had no coordinates and "
    "the account stands at its village's gazetteer point"
)
