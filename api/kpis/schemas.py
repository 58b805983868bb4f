"""Queries and answers of /api/kpis/*; the definitions are docs/kpis.md's."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from api.money.schemas import ID
from api.pagination import MAX_PAGE_SIZE
from api.schema_fields import Day, Money, Text, UtcDateTime, documented
from core.kpis.collection import GROUPS
from core.kpis.stubborn import PAGE as STUBBORN_PAGE

DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"


class DecimalString(fields.Field[Decimal]):
    """A share, a ratio, kilometres or a signed amount as a JSON string (never a float)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        spec = {"type": "string", "pattern": DECIMAL_PATTERN, "example": "0.9512"}
        super().__init__(*args, **documented(kwargs, **spec))

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value)


class KpiArgs(Schema):
    class Meta:
        unknown = RAISE

    station_id = fields.Integer(load_default=None, validate=ID)
    collector_id = fields.Integer(
        load_default=None, validate=ID, metadata={"description": "The accounts they answer for"}
    )
    village = Text(load_default=None, max_length=100)
    month = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^20\d\d-(0[1-9]|1[0-2])$"),
        metadata={"description": "YYYY-MM (instead of date_from/date_to; default: this month)"},
    )
    date_from = Day(load_default=None)
    date_to = Day(load_default=None)
    as_of = Day(load_default=None, metadata={"description": "Default: today"})


class CollectionArgs(KpiArgs):
    group = fields.String(
        load_default=None,
        validate=validate.OneOf(GROUPS),
        metadata={"description": "One line per station or per responsible collector"},
    )


class StubbornArgs(KpiArgs):
    limit = fields.Integer(
        load_default=STUBBORN_PAGE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE)
    )
    cursor = fields.String(
        load_default=None,
        validate=validate.Regexp(
            r"^\d{1,10}(\.\d{1,2})?,\d{1,10}$",
            error="Malformed: use the X-Next-Cursor of the previous page.",
        ),
        metadata={"description": "From X-Next-Cursor: the page after the previous one"},
    )


class RankingArgs(KpiArgs):
    by = fields.String(load_default="collector", validate=validate.OneOf(GROUPS))


class KpiPeriodSchema(Schema):
    date_from = Day(attribute="start")
    date_to = Day(attribute="end")


class KpiCollectionSchema(Schema):
    key = fields.Integer(
        allow_none=True, metadata={"description": "The station or collector id of the line"}
    )
    opening = Money()
    collected = Money()
    billed = Money()
    collected_new = Money()
    late_fees = Money()
    by_channel = fields.Dict(keys=fields.String(), values=Money())
    rate = DecimalString(allow_none=True)
    rate_with_new = DecimalString(allow_none=True)


class KpiCollectionAnswerSchema(Schema):
    period = fields.Nested(KpiPeriodSchema)
    group = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(KpiCollectionSchema))


class KpiDayOwingSchema(Schema):
    day = Day()
    owing = Money()
    accounts = fields.Integer()


class KpiMonthEndSchema(Schema):
    as_of = Day()
    month_end = Day()
    owing = Money()
    accounts = fields.Integer()
    days_left = fields.Integer()
    per_day_needed = Money()
    trend = fields.List(fields.Nested(KpiDayOwingSchema))
    last_month = fields.Nested(KpiDayOwingSchema, allow_none=True)


class KpiPromisesSchema(Schema):
    period = fields.Nested(KpiPeriodSchema)
    as_of = Day()
    made = fields.Integer()
    due = fields.Integer()
    kept = fields.Integer()
    broken = fields.Integer()
    pending = fields.Integer()


class KpiFieldWorkSchema(Schema):
    collector_id = fields.Integer()
    visits = fields.Integer()
    days = fields.Integer()
    visits_per_day = DecimalString(allow_none=True)
    nobody_home = fields.Integer()
    nobody_home_rate = DecimalString(allow_none=True)
    refused = fields.Integer()
    yuan = Money()
    yuan_per_day = Money(allow_none=True)
    km = DecimalString()
    yuan_per_km = Money(allow_none=True)
    planned_stops = fields.Integer()
    visited_stops = fields.Integer()
    stops_visited_share = DecimalString(allow_none=True)


class KpiFieldWorkAnswerSchema(Schema):
    period = fields.Nested(KpiPeriodSchema)
    collectors = fields.List(fields.Nested(KpiFieldWorkSchema))


class KpiCellSchema(Schema):
    yuan = Money()
    accounts = fields.Integer()


def _cells() -> Any:
    return fields.Dict(keys=fields.String(), values=fields.Nested(KpiCellSchema))


class KpiAgeingTableSchema(Schema):
    as_of = Day()
    buckets = _cells()
    stages = _cells()


class KpiSignedCellSchema(Schema):
    yuan = DecimalString()
    accounts = fields.Integer()


class KpiAgeingChangeSchema(Schema):
    buckets = fields.Dict(keys=fields.String(), values=fields.Nested(KpiSignedCellSchema))
    stages = fields.Dict(keys=fields.String(), values=fields.Nested(KpiSignedCellSchema))


class KpiAgeingAnswerSchema(Schema):
    now = fields.Nested(KpiAgeingTableSchema)
    month_start = fields.Nested(KpiAgeingTableSchema)
    change = fields.Nested(
        KpiAgeingChangeSchema, metadata={"description": "now - month_start (may be negative)"}
    )


class KpiHistoryVisitSchema(Schema):
    device_time = UtcDateTime()
    collector_id = fields.Integer()
    outcome = fields.String()
    promise_date = Day(allow_none=True)
    kept = fields.Boolean(allow_none=True)


class KpiStubbornSchema(Schema):
    account_id = fields.Integer()
    number = fields.String()
    name = fields.String()
    village = fields.String()
    responsible_id = fields.Integer(allow_none=True)
    owing = Money()
    refusals = fields.Integer()
    broken_promises = fields.Integer()
    history = fields.List(fields.Nested(KpiHistoryVisitSchema))


class KpiRankedSchema(Schema):
    rank = fields.Integer()
    key = fields.Integer(metadata={"description": "Station or collector id"})
    name = fields.String()
    collection = fields.Nested(KpiCollectionSchema)


class KpiRankingAnswerSchema(Schema):
    period = fields.Nested(KpiPeriodSchema)
    by = fields.String()
    ranking = fields.List(fields.Nested(KpiRankedSchema))


class KpiPromiseCountsSchema(Schema):
    made = fields.Integer()
    due = fields.Integer()
    kept = fields.Integer()
    broken = fields.Integer()
    pending = fields.Integer()


class KpiCollectorResultSchema(Schema):
    collector_id = fields.Integer()
    name = fields.String()
    collection = fields.Nested(KpiCollectionSchema)
    field = fields.Nested(KpiFieldWorkSchema)
    promises = fields.Nested(KpiPromiseCountsSchema)


class KpiCollectorResultsAnswerSchema(Schema):
    period = fields.Nested(KpiPeriodSchema)
    collectors = fields.List(fields.Nested(KpiCollectorResultSchema))
