"""Group payment schemas: amounts are strings, unknown fields are refused."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.money.schemas import ID, AllocationSchema, PositiveAmount
from api.schema_fields import Day, Instant, Money, Text
from core.models import Channel
from core.money.ids import is_client_id

GROUP_CODE = validate.Regexp(r"^[A-Za-z0-9_.-]{1,32}$")


class SplitItemSchema(Schema):
    account_id = fields.Integer(strict=True, required=True, validate=ID)
    amount = PositiveAmount(required=True)


class GroupPaymentSchema(Schema):
    """A group customer's payment; the client mints its id (a resend is a replay)."""

    id = fields.UUID(
        load_default=None,
        metadata={
            "description": "Minted by the client, kept forever: a random UUID (version 4 or "
            "7). Left out for an online notice (channel_txn_id): the server derives it."
        },
    )
    amount = PositiveAmount(required=True)
    channel = fields.Enum(Channel, by_value=True, required=True)
    collected_at = Instant(required=True)
    device_id = Text(max_length=64, load_default=None, allow_none=True)
    channel_txn_id = Text(
        max_length=64,
        load_default=None,
        allow_none=True,
        metadata={"description": "Online notice: the channel's transaction id"},
    )
    split = fields.List(
        fields.Nested(SplitItemSchema),
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "Explicit per-account shares summing to amount"},
    )

    @validates_schema
    def _client_id(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("channel_txn_id") is not None:
            return  # the server derives (and checks) a notice's id
        if data.get("id") is None:
            raise ValidationError("Missing data for required field.", "id")
        if not is_client_id(data["id"]):
            raise ValidationError("A client id is a random UUID, version 4 or 7.", "id")

    @validates_schema
    def _split_unique(self, data: dict[str, Any], **kwargs: Any) -> None:
        split = data.get("split")
        if split is not None and len({s["account_id"] for s in split}) != len(split):
            raise ValidationError("An account appears twice.", "split")


class PartSchema(Schema):
    payment_id = fields.UUID()
    account_id = fields.Integer()
    amount = Money()
    overpayment = Money()
    allocations = fields.List(fields.Nested(AllocationSchema))


class GroupPaymentOutSchema(Schema):
    status = fields.String(metadata={"enum": ["created", "replayed"]})
    replay = fields.Boolean()
    id = fields.UUID()
    group_code = fields.String()
    amount = Money()
    unallocated = Money(metadata={"description": "Beyond what the group owed: group credit"})
    channel = fields.String()
    channel_txn_id = fields.String(allow_none=True)
    collected_at = Instant()
    recorded_at = Instant()
    parts = fields.List(fields.Nested(PartSchema))


class GroupArgs(Schema):
    as_of = Day(load_default=None, metadata={"description": "Station-local date"})


class GroupAccountSchema(Schema):
    account_id = fields.Integer()
    number = fields.String()
    name = fields.String()
    station_id = fields.Integer()
    principal = Money()
    late_fee = Money()
    total = Money()
    credit = Money()


class GroupPaymentBriefSchema(Schema):
    id = fields.UUID()
    amount = Money()
    unallocated = Money()
    channel = fields.String()
    collected_at = Instant()


class GroupSchema(Schema):
    """A group customer's accounts in the caller's scope and what they owe."""

    code = fields.String()
    as_of = Day()
    accounts = fields.List(fields.Nested(GroupAccountSchema))
    total_due = Money()
    credit = Money(metadata={"description": "Group credit: unallocated remainders"})
    payments = fields.List(fields.Nested(GroupPaymentBriefSchema))
