from __future__ import annotations

from marshmallow import Schema, fields

from api.schema_fields import Day, Instant, Text
from core.models import CallOutcome


class CallSchema(Schema):
    id = fields.UUID(required=True, metadata={"description": "Minted by the phone; kept forever"})
    account_id = fields.Integer(required=True, strict=True)
    for_date = Day(required=True, metadata={"description": "The visit's day"})
    outcome = fields.Enum(
        CallOutcome,
        by_value=True,
        required=True,
        metadata={
            "description": "home_at (with home_from/home_until: a time window), pay_online "
            "(no visit that day), refuses (valued lower), away (nobody home), no_answer"
        },
    )
    home_from = fields.Time(load_default=None, metadata={"description": "Station-local"})
    home_until = fields.Time(load_default=None, metadata={"description": "Station-local"})
    called_at = Instant(required=True)
    device_id = Text(load_default=None, max_length=64)


class CallResultSchema(Schema):
    id = fields.String()
    status = fields.String(metadata={"enum": ["created", "replayed"]})


class CallListEntrySchema(Schema):
    account_id = fields.Integer()
    gain = fields.String(metadata={"description": "Expected gain from knowing, yuan"})
    p_pay = fields.Float()
    p_home = fields.Float()
    ask_from = fields.String(
        allow_none=True,
        metadata={
            "description": "Station-local HH:MM: propose this time, the band in which the "
            "route passes nearest the house (none when the collector has no route)"
        },
    )
    ask_until = fields.String(allow_none=True, metadata={"description": "Station-local HH:MM"})
    outcome = fields.String(allow_none=True, metadata={"description": "Recorded outcome, if any"})


class CollectorCallsSchema(Schema):
    collector_id = fields.Integer()
    calls = fields.List(fields.Nested(CallListEntrySchema))


class PlanCallsSchema(Schema):
    plan_id = fields.Integer()
    date = Day()
    by_collector = fields.List(fields.Nested(CollectorCallsSchema))


class WeekCollectorSchema(Schema):
    collector_id = fields.Integer()
    visits = fields.Integer()
    account_ids = fields.List(fields.Integer())
    expected_value = fields.String()
    slot_price = fields.String()


class WeekDaySchema(Schema):
    date = fields.String()
    collectors = fields.List(fields.Nested(WeekCollectorSchema))


class PlanWeekSchema(Schema):
    plan_id = fields.Integer()
    date = Day()
    working_days_left = fields.List(fields.String())
    week = fields.List(fields.Nested(WeekDaySchema))
