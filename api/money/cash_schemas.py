"""Cash-custody schemas: handovers, daily counts and reconciliations, cash in hand."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.money.schemas import ID, ClientId, NonNegativeAmount, PositiveAmount
from api.schema_fields import Day, Instant, Money, Text


class HandoverSchema(Schema):
    """Cash a collector hands to the station, recorded by the supervisor who receives it."""

    id = ClientId(required=True)
    collector_id = fields.Integer(strict=True, required=True, validate=ID)
    amount = PositiveAmount(required=True)
    handed_at = Instant(required=True)
    device_id = Text(max_length=64, load_default=None, allow_none=True)


class CashEventSchema(Schema):
    id = fields.UUID()
    kind = fields.String()
    collector_id = fields.Integer()
    station_id = fields.Integer()
    amount = Money()
    occurred_at = Instant()
    business_date = Day()
    replay = fields.Boolean()


class CountSchema(Schema):
    """The cash counted at the end of a collector's business day."""

    id = ClientId(required=True)
    collector_id = fields.Integer(strict=True, required=True, validate=ID)
    business_date = Day(required=True)
    counted = NonNegativeAmount(required=True)
    device_id = Text(max_length=64, load_default=None, allow_none=True)


class ReconciliationSchema(Schema):
    """opening + collected - reversed - handed_over = expected; expected + variance = counted."""

    id = fields.UUID()
    collector_id = fields.Integer()
    business_date = Day()
    opening = Money()
    collected = Money(metadata={"description": "Field cash, quarantined uploads included"})
    quarantined = Money(allow_none=True)
    reversed = Money()
    handed_over = Money()
    expected = Money()
    counted = Money()
    variance = Money()
    late = Money(
        allow_none=True,
        metadata={"description": "Cash recorded after its own day was counted, included here"},
    )
    replay = fields.Boolean()


class PositionSchema(Schema):
    """Cash a collector should hold now: counted at the last count (``opening``) plus
    what no count has covered yet."""

    collector_id = fields.Integer()
    last_count_day = Day(allow_none=True)
    opening = Money()
    collected = Money()
    quarantined = Money()
    reversed = Money()
    handed_over = Money()
    late = Money(metadata={"description": "Recorded after its own day had been counted"})
    in_hand = Money()


class ReconciliationListArgs(Schema):
    business_date = Day(
        load_default=None,
        metadata={"description": "Business day (default: today at the caller's station)"},
    )
