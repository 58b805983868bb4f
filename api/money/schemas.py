"""Money schemas: amounts are strings with at most two decimals; unknown fields are refused."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from api.schema_fields import Day, Instant, Money, Text, documented
from core.models import Channel
from core.models.review import RESOLUTION_ACTIONS
from core.money import AmountDue, quarantine
from core.money.ids import is_client_id
from core.money.payments import PaymentResult

MAX_AMOUNT = Decimal("100000000")
MAX_BATCH = 200
#: A device receipt number: the series prefix (station code, device) and six digits.
RECEIPT_PATTERN = r"^[A-Za-z0-9_-]{1,48}-[0-9]{6}$"
#: Database ids are 32-bit: larger numbers are refused before they reach a query.
ID = validate.Range(min=1, max=2**31 - 1)


class ClientId(fields.UUID):
    """A money record's id as its client mints it: a random UUID, version 4 or 7. Ids the
    server derives (version 8) and guessable ones (1, 3, 5, ...) are refused."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        spec = {
            "description": "Minted by the client, kept forever: a random UUID (version 4 or 7)",
            "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[47][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}"
            "-[0-9a-fA-F]{12}$",
        }
        super().__init__(*args, **documented(kwargs, **spec))

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> uuid.UUID:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed is None or not is_client_id(parsed):
            raise ValidationError("A client id is a random UUID, version 4 or 7.")
        return parsed


class PositiveAmount(Money):
    """A money string above 0.00 and below 100,000,000.00 (the ledger's bounds)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The bounds in the OpenAPI too: not all zeros, at most 8 digits before the point.
        pattern = r"^(?!0+(\.0{1,2})?$)\d{1,8}(\.\d{1,2})?$"
        super().__init__(*args, **documented(kwargs, pattern=pattern))

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        amount = super()._deserialize(value, attr, data, **kwargs)
        if not Decimal("0") < amount < MAX_AMOUNT:
            raise ValidationError("An amount is above 0.00 and below 100000000.00.")
        return amount


class QrRefSchema(Schema):
    """The channel's transaction a QR payment at the door went through (the payer's app
    shows it): the upload stays pending until the channel's notice confirms it."""

    class Meta:
        unknown = RAISE

    channel = fields.String(required=True, validate=validate.OneOf(["alipay", "wechat", "bank"]))
    txn_id = Text(required=True, max_length=64, validate=validate.Length(min=1))


class PaymentSchema(Schema):
    """One payment as uploaded by a phone or recorded at the counter."""

    id = ClientId(required=True)
    account_id = fields.Integer(strict=True, required=True, validate=ID)
    amount = PositiveAmount(required=True)
    channel = fields.Enum(Channel, by_value=True, required=True)
    collected_at = Instant(required=True)
    device_id = Text(max_length=64, load_default=None, allow_none=True)
    bill_ids = fields.List(
        fields.Integer(strict=True, validate=ID),
        load_default=list,
        validate=validate.Length(max=24),
        metadata={"description": "Bills to pay first (an allocation hint)"},
    )
    receipt_no = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(RECEIPT_PATTERN),
        metadata={
            "pattern": RECEIPT_PATTERN,
            "description": "Field cash/QR: a number from this device's receipt blocks "
            "(POST /api/me/receipt-blocks), accepted once; omitted, the station numbers it",
        },
    )
    qr_ref = fields.Nested(
        QrRefSchema,
        load_default=None,
        allow_none=True,
        metadata={
            "description": "field_qr: the channel's transaction. The upload answers 202 "
            "(pending) until the channel's notice for it comes in, or 200 with the channel's "
            "payment when it came first: the same money is one payment."
        },
    )
    confirm_amount = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Field money (field_cash, field_qr) above twice what the account "
            "owes plus 500.00 is refused (422, code amount_unconfirmed) unless this is true; "
            "a confirmed amount above the station's field_payment_cap (default 10000.00) is "
            "refused outright (422, code amount_above_cap). Not part of the stored body: a "
            "resend without it is still a replay."
        },
    )


class BatchSchema(Schema):
    """Up to 200 payments; each is validated and stored on its own."""

    items = fields.List(
        fields.Raw(metadata={"type": "object"}),
        required=True,
        validate=validate.Length(min=1, max=MAX_BATCH),
    )


class AllocationSchema(Schema):
    bill_id = fields.Integer()
    principal = Money()
    late_fee = Money()


class PaymentOutSchema(Schema):
    """A stored payment (or reversal), or a quarantined upload, and how this request ended."""

    status = fields.String(metadata={"enum": ["created", "replayed", "quarantined"]})
    replay = fields.Boolean()
    id = fields.UUID()
    kind = fields.String(allow_none=True)
    account_id = fields.Integer()
    amount = Money()
    channel = fields.String()
    collected_at = Instant()
    recorded_at = Instant()
    device_id = fields.String(allow_none=True)
    receipt_no = fields.String(allow_none=True)
    collector_id = fields.Integer(allow_none=True)
    reverses_id = fields.UUID(allow_none=True)
    reason = fields.String(allow_none=True)
    allocations = fields.List(fields.Nested(AllocationSchema))
    overpayment = Money(allow_none=True)
    quarantine_reason = fields.String(allow_none=True)


class ChannelReceiptSchema(Schema):
    """What a channel client learns of its notice: the payment's id and how it ended, never
    the service's internal ids (account, bills, collector), another station's or not."""

    status = fields.String(metadata={"enum": ["created", "replayed", "quarantined"]})
    replay = fields.Boolean()
    id = fields.UUID()
    amount = Money()
    channel = fields.String()
    collected_at = Instant()
    recorded_at = Instant()
    overpayment = Money(allow_none=True)
    quarantine_reason = fields.String(allow_none=True)


class ReversalSchema(Schema):
    """Reverse a payment: the reversal's own client-minted id and a reason."""

    id = ClientId(required=True)
    reason = Text(required=True, max_length=500, validate=validate.Length(min=3))
    device_id = Text(max_length=64, load_default=None, allow_none=True)


class AsOfArgs(Schema):
    as_of = Day(load_default=None, metadata={"description": "Station-local date"})


class BillDueSchema(Schema):
    bill_id = fields.Integer()
    period = Day()
    due_date = Day()
    amount = Money()
    principal = Money()
    late_fee = Money()
    total = Money()
    days_overdue = fields.Integer()


class BucketsSchema(Schema):
    d1_30 = Money()
    d31_60 = Money()
    d61_90 = Money()
    d90_plus = Money()
    total = Money()


class AmountDueSchema(Schema):
    """What an account owes if it pays on ``as_of``: per bill, aged, and its escalation stage."""

    account_id = fields.Integer()
    as_of = Day()
    principal = Money()
    late_fee = Money()
    total = Money()
    credit = Money(metadata={"description": "Paid earlier beyond what was owed then"})
    net = Money(metadata={"description": "total - credit, at least 0.00: left to collect"})
    bills = fields.List(fields.Nested(BillDueSchema))
    buckets = fields.Nested(BucketsSchema)
    oldest_days_overdue = fields.Integer()
    stage = fields.String()


class ResolutionSchema(Schema):
    kind = fields.String(metadata={"enum": ["released", "reversed", *RESOLUTION_ACTIONS]})
    id = fields.String(metadata={"description": "The payment (released) or reversal entry"})
    at = Instant()


class ExceptionSchema(Schema):
    kind = fields.String(metadata={"enum": ["overpayment", "quarantine"]})
    id = fields.String()
    account_id = fields.Integer(metadata={"description": "The account it is for now"})
    retargeted_from = fields.Integer(
        allow_none=True, metadata={"description": "The account the upload was sent for"}
    )
    station_id = fields.Integer(
        allow_none=True, metadata={"description": "The reviewing station (the uploader's)"}
    )
    owner_station_id = fields.Integer(
        allow_none=True, metadata={"description": "The account's station: it releases"}
    )
    amount = Money()
    detail = fields.String()
    collector_id = fields.Integer(allow_none=True)
    created_at = Instant()
    resolution = fields.Nested(ResolutionSchema, allow_none=True)


class ExceptionListArgs(Schema):
    class Meta:
        unknown = RAISE

    state = fields.Enum(
        quarantine.State,
        by_value=True,
        load_default=quarantine.State.OPEN,
        metadata={"description": "open (default), resolved or all"},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    cursor = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "From X-Next-Cursor: the page after the previous one"},
    )


class ResolutionInSchema(Schema):
    """How an exception of the review queue ended, in the supervisor's words."""

    class Meta:
        unknown = RAISE

    action = fields.String(required=True, validate=validate.OneOf(RESOLUTION_ACTIONS))
    note = Text(required=True, max_length=500, validate=validate.Length(min=3))


class RetargetSchema(Schema):
    """The account a quarantined upload was really for (one of your stations')."""

    class Meta:
        unknown = RAISE

    account_id = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**31 - 1))
    reason = Text(required=True, max_length=500, validate=validate.Length(min=3))


class NonNegativeAmount(Money):
    """A money string from 0.00 to below 100,000,000.00 (cash counted may be nothing)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        amount = super()._deserialize(value, attr, data, **kwargs)
        if not amount < MAX_AMOUNT:
            raise ValidationError("An amount is below 100000000.00.")
        return amount


class AuditArgs(Schema):
    entity_id = fields.UUID(load_default=None)
    account_id = fields.Integer(load_default=None, validate=ID)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class AuditSchema(Schema):
    id = fields.Integer()
    event = fields.String()
    entity_id = fields.UUID()
    account_id = fields.Integer(allow_none=True)
    station_id = fields.Integer(allow_none=True)
    actor_id = fields.Integer()
    device_id = fields.String(allow_none=True)
    amount = Money(allow_none=True)
    detail = fields.Dict()
    recorded_at = Instant()


class ArrearsListArgs(Schema):
    as_of = Day(load_default=None, metadata={"description": "Default: today (UTC+8)"})
    stage = fields.String(
        load_default=None,
        validate=validate.OneOf(
            ["reminder", "visit", "repeated_visit", "supervisor_visit", "formal_notice"]
        ),
    )
    after = fields.Integer(load_default=None, validate=validate.Range(min=0, max=2**31 - 1))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class ArrearsRowSchema(Schema):
    """An account's unpaid principal by age (late fees: see /api/arrears/{account_id})."""

    account_id = fields.Integer()
    number = fields.String()
    name = fields.String()
    village = fields.String()
    responsible_id = fields.Integer(allow_none=True)
    principal = Money()
    d1_30 = Money()
    d31_60 = Money()
    d61_90 = Money()
    d90_plus = Money()
    oldest_days_overdue = fields.Integer()
    stage = fields.String()


RATE_PATTERN = r"^0\.\d{1,6}$"


class Rate(fields.Field[Decimal]):
    """A daily rate as a string such as ``"0.001"`` (at most six decimals, below 1)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        spec = {"type": "string", "pattern": RATE_PATTERN, "example": "0.001"}
        super().__init__(*args, **documented(kwargs, **spec))

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{Decimal(value).normalize():f}"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if not isinstance(value, str) or not re.match(RATE_PATTERN, value):
            raise ValidationError('A rate is a string like "0.001" (at most six decimals).')
        rate = Decimal(value)
        if rate >= Decimal("0.1"):
            raise ValidationError("A daily rate is below 0.1 (10% a day).")
        return rate


class RateSchema(Schema):
    """A late-fee rate version: national (no station, admins) or a station's own."""

    id = fields.Integer(dump_only=True)
    station_id = fields.Integer(strict=True, load_default=None, allow_none=True, validate=ID)
    # No lower bound here: stored national versions start in 1996, and a new version must
    # start after today anyway (checked by the view).
    effective_from = Day(required=True)
    residential = Rate(required=True)
    other_current_year = Rate(required=True)
    other_earlier_years = Rate(required=True)
    minimum = NonNegativeAmount(required=True)
    created_at = Instant(dump_only=True)


class RateArgs(Schema):
    station_id = fields.Integer(load_default=None, validate=ID)


# Response bodies: plain dicts built from the core's results (no ORM object leaves a view).


def result_body(result: PaymentResult) -> dict[str, Any]:
    body: dict[str, Any] = {"status": result.status.value, "replay": result.replay}
    if result.payment is not None:
        p = result.payment
        body.update(
            id=p.id,
            kind=p.kind.value,
            account_id=p.account_id,
            amount=p.amount,
            channel=p.channel.value,
            collected_at=p.collected_at,
            recorded_at=p.recorded_at,
            device_id=p.device_id,
            receipt_no=p.receipt_no,
            collector_id=p.collector_id,
            reverses_id=p.reverses_id,
            reason=p.reason,
            allocations=[
                {"bill_id": a.bill_id, "principal": a.principal, "late_fee": a.late_fee}
                for a in result.allocations
            ],
            overpayment=result.overpayment,
        )
    elif result.quarantine is not None:
        q = result.quarantine
        body.update(
            id=q.id,
            account_id=q.account_id,
            amount=q.amount,
            channel=q.channel,
            collected_at=q.collected_at,
            recorded_at=q.recorded_at,
            device_id=q.device_id,
            collector_id=q.collector_id,
            allocations=[],
            quarantine_reason=q.reason,
        )
    return body


def due_body(due: AmountDue) -> dict[str, Any]:
    b = due.buckets
    return {
        "account_id": due.account_id,
        "as_of": due.as_of,
        "principal": due.principal,
        "late_fee": due.late_fee,
        "total": due.total,
        "credit": due.credit,
        "net": due.net,
        "bills": [
            {
                "bill_id": x.bill_id,
                "period": x.period,
                "due_date": x.due_date,
                "amount": x.amount,
                "principal": x.principal,
                "late_fee": x.late_fee,
                "total": x.total,
                "days_overdue": x.days_overdue,
            }
            for x in due.bills
        ],
        "buckets": {
            "d1_30": b.d1_30,
            "d31_60": b.d31_60,
            "d61_90": b.d61_90,
            "d90_plus": b.d90_plus,
            "total": b.total,
        },
        "oldest_days_overdue": due.oldest_days_overdue,
        "stage": due.stage.value,
    }
