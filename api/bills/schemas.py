"""The monthly bills import and an account's statement of bills."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from api.accounts.schemas import Id, RowErrorSchema
from api.schema_fields import Day, Money, UtcDateTime


class BillImportForm(Schema):
    """The multipart body of a bills import."""

    file = Upload(required=True, metadata={"description": ".csv (UTF-8 or GB18030) or .xlsx"})
    station_id = Id(load_default=None)
    dry_run = fields.Boolean(
        load_default=True,
        metadata={"description": "Report what the import would do, write nothing (default)"},
    )


class RebilledSchema(Schema):
    row = fields.Integer()
    number = fields.String()
    period = Day()
    bill_id = fields.Integer()
    from_amount = Money(data_key="from")
    to_amount = Money(data_key="to")


class BillReportSchema(Schema):
    dry_run = fields.Boolean()
    rows = fields.Integer()
    created = fields.Integer()
    rebilled = fields.Integer(metadata={"description": "Existing bills whose amount changes"})
    unchanged = fields.Integer()
    total_created = Money(metadata={"description": "Sum of the new bills"})
    error_count = fields.Integer()
    errors = fields.List(fields.Nested(RowErrorSchema))
    adjustments = fields.List(
        fields.Nested(RebilledSchema),
        metadata={"description": "The re-billed amounts (the first 1,000), each an adjustment"},
    )


class AdjustmentSchema(Schema):
    id = fields.UUID()
    delta = fields.Function(
        lambda a: f"{a.delta:.2f}",
        metadata={
            "type": "string",
            "pattern": r"^-?\d{1,10}\.\d{2}$",
            "description": "new_amount - old_amount; negative when re-billed lower",
        },
    )
    old_amount = Money()
    new_amount = Money()
    reason = fields.String()
    source = fields.String(allow_none=True)
    recorded_at = UtcDateTime()


class StatementBillSchema(Schema):
    id = fields.Integer()
    period = Day()
    due_date = Day()
    billed = Money(metadata={"description": "As first billed"})
    amount = Money(metadata={"description": "Billed plus its adjustments"})
    reading_from = fields.Decimal(as_string=True, allow_none=True)
    reading_to = fields.Decimal(as_string=True, allow_none=True)
    adjustments = fields.List(fields.Nested(AdjustmentSchema))
