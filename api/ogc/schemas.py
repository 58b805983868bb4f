"""OGC API - Features query parameters (unknown ones refused) and datetime intervals."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

from api.schema_fields import Day

MAX_LIMIT = 1000


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """``minlon,minlat,maxlon,maxlat`` (a 6-number 3D box keeps its 2D part)."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise ValidationError("bbox is 4 (or 6) comma-separated numbers.") from None
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ValidationError("bbox is 4 (or 6) comma-separated finite numbers.")
    w, s, e, n = values
    if not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s <= n <= 90):
        raise ValidationError("bbox is minlon,minlat,maxlon,maxlat in WGS-84 degrees.")
    if w > e:
        raise ValidationError("bbox crossing the antimeridian is not supported.")
    return (w, s, e, n)


def _instant(text: str) -> dt.datetime | None:
    if text in ("", ".."):
        return None
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time(), dt.UTC)
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError("datetime is RFC 3339 (an instant, a date or start/end).") from None
    if value.tzinfo is None:
        raise ValidationError("datetime instants carry a time zone (e.g. Z).")
    return value


def parse_datetime(text: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """An instant or date (both ends), or an interval ``start/end`` with ``..`` open ends.

    A date as an end covers that whole day (UTC)."""
    if "/" not in text:
        at = _instant(text)
        if at is None:
            raise ValidationError("datetime is an instant, a date or an interval.")
        return (at, at + dt.timedelta(days=1, microseconds=-1) if len(text) == 10 else at)
    first, _, last = text.partition("/")
    start, end = _instant(first), _instant(last)
    if end is not None and len(last) == 10:
        end = end + dt.timedelta(days=1, microseconds=-1)
    if start is not None and end is not None and start > end:
        raise ValidationError("datetime interval ends before it starts.")
    return (start, end)


class ItemsArgs(Schema):
    class Meta:
        unknown = RAISE

    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Features per page (1-{MAX_LIMIT}, default 100)"},
    )
    offset = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=10_000_000),
        metadata={"description": "Features to skip (the next link carries it)"},
    )
    bbox = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "minlon,minlat,maxlon,maxlat (WGS-84, CRS84 axis order)"},
    )
    datetime = fields.String(
        load_default=None,
        validate=validate.Length(max=100),
        metadata={"description": "RFC 3339 instant, date or interval (visits, routes)"},
    )
    date = Day(load_default=None, metadata={"description": "accounts: arrears as of this day"})
    f = fields.String(
        load_default=None,
        validate=validate.OneOf(["json", "geojson"]),
        metadata={"description": "Format: GeoJSON only"},
    )

    @validates("bbox")
    def _bbox(self, value: str | None, **_kw: Any) -> None:
        if value is not None:
            parse_bbox(value)

    @validates("datetime")
    def _datetime(self, value: str | None, **_kw: Any) -> None:
        if value is not None:
            parse_datetime(value)


class FormatArgs(Schema):
    class Meta:
        unknown = RAISE

    f = fields.String(
        load_default=None,
        validate=validate.OneOf(["json"]),
        metadata={"description": "Format: JSON only"},
    )


class ItemArgs(FormatArgs):
    date = Day(load_default=None, metadata={"description": "accounts: arrears as of this day"})
