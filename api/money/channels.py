"""Online channels' input: a transaction as a channel reports it, and kiosk/bank CSV files
(each row validated on its own). The payment itself: ``core.money.payments.channel_input``."""

from __future__ import annotations

import csv
import io
from typing import Any

from marshmallow import Schema, ValidationError

from api.money.schemas import PositiveAmount
from api.schema_fields import Instant, Text

CSV_COLUMNS = ("channel_txn_id", "account_number", "amount", "paid_at")
MAX_IMPORT_ROWS = 5000


class ChannelRowSchema(Schema):
    """One transaction as an online channel reports it."""

    channel_txn_id = Text(required=True, max_length=64)
    account_number = Text(required=True, max_length=32)
    amount = PositiveAmount(required=True)
    paid_at = Instant(required=True)


def parse_csv(text: str) -> list[dict[str, Any] | ValidationError]:
    """Rows of a channel file (header ``channel_txn_id,account_number,amount,paid_at``):
    each a validated dict or the ValidationError that refused it."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
        raise ValidationError({"file": [f"The header must be {','.join(CSV_COLUMNS)}."]})
    out: list[dict[str, Any] | ValidationError] = []
    for index, raw in enumerate(reader):
        if index >= MAX_IMPORT_ROWS:
            raise ValidationError({"file": [f"At most {MAX_IMPORT_ROWS} rows per file."]})
        try:
            extra = raw.pop(None, None)
            if extra:
                raise ValidationError({"_schema": ["Too many columns."]})
            out.append(ChannelRowSchema().load(raw))
        except ValidationError as error:
            out.append(error)
    return out
