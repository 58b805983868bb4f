"""Prepaid deposit schemas: amounts are strings, unknown fields are refused."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.money.schemas import AllocationSchema, ClientId, PositiveAmount
from api.schema_fields import Instant, Money, Text
from core.models import Channel

_DEPOSIT_CHANNELS = ["counter", "kiosk", "alipay", "wechat", "bank"]


class DepositSchema(Schema):
    """Money into an account's prepaid balance; the client mints its id."""

    id = ClientId(required=True)
    amount = PositiveAmount(required=True)
    channel = fields.Enum(
        Channel, by_value=True, required=True, metadata={"enum": _DEPOSIT_CHANNELS}
    )
    collected_at = Instant(required=True)
    device_id = Text(max_length=64, load_default=None, allow_none=True)


class DrawSchema(Schema):
    payment_id = fields.UUID()
    amount = Money()
    trigger = fields.String()
    replay = fields.Boolean()
    allocations = fields.List(fields.Nested(AllocationSchema))


class DepositOutSchema(Schema):
    status = fields.String(metadata={"enum": ["created", "replayed"]})
    replay = fields.Boolean()
    id = fields.UUID()
    account_id = fields.Integer()
    amount = Money()
    channel = fields.String()
    collected_at = Instant()
    recorded_at = Instant()
    autopay = fields.Nested(DrawSchema, allow_none=True)
    balance = Money()


class AutopayOutSchema(Schema):
    autopay = fields.Nested(DrawSchema, allow_none=True)


class DepositItemSchema(Schema):
    id = fields.UUID()
    amount = Money()
    channel = fields.String()
    collected_at = Instant()
    recorded_at = Instant()


class DrawItemSchema(Schema):
    payment_id = fields.UUID()
    amount = Money()
    trigger = fields.String()
    created_at = Instant()
    reversed = fields.Boolean()


class PrepaidSchema(Schema):
    """An account's prepaid balance and history (newest first)."""

    account_id = fields.Integer()
    balance = Money()
    deposits = fields.List(fields.Nested(DepositItemSchema))
    draws = fields.List(fields.Nested(DrawItemSchema))
