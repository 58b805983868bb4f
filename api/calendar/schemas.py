from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.schema_fields import Day, Text
from core.models import PeriodKind
from core.planning.calendar import MAX_MARKET_VILLAGES, MAX_PERIODS


class PeriodSchema(Schema):
    kind = fields.Enum(
        PeriodKind,
        by_value=True,
        required=True,
        metadata={
            "description": "festival or harvest: migrant households are home; holiday: "
            "no collection"
        },
    )
    name = Text(required=True, max_length=60, validate=validate.Length(min=1))
    first_day = Day(required=True)
    last_day = Day(required=True, metadata={"description": "Included"})


class MarketDaySchema(Schema):
    village = Text(required=True, max_length=100, validate=validate.Length(min=1))
    weekdays = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, 7)),
        load_default=list,
        validate=validate.Length(max=7),
        metadata={"description": "ISO weekdays, 1 (Monday) to 7 (Sunday)"},
    )
    month_days = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, 31)),
        load_default=list,
        validate=validate.Length(max=31),
        metadata={"description": "Days of the solar month, e.g. 3, 6, 9, 13, ... (逢三六九)"},
    )


class CalendarSchema(Schema):
    station_id = fields.Integer(dump_only=True)
    periods = fields.List(
        fields.Nested(PeriodSchema), load_default=list, validate=validate.Length(max=MAX_PERIODS)
    )
    market_days = fields.List(
        fields.Nested(MarketDaySchema),
        load_default=list,
        validate=validate.Length(max=MAX_MARKET_VILLAGES),
    )

    @validates_schema
    def _one_row_per_village(self, data: dict[str, Any], **_kw: object) -> None:
        seen: set[str] = set()
        rows: list[dict[str, Any]] = data.get("market_days") or []
        for i, row in enumerate(rows):
            if row["village"] in seen:
                raise ValidationError({"market_days": {i: {"village": ["Listed twice."]}}})
            seen.add(row["village"])
