"""Online channels: payment notices and kiosk/bank CSV files, deduplicated by
(channel, channel transaction id) through a uuid5 payment id."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.fields import Text
from api.money.schemas import INSTANTS, PositiveAmount
from api.money.service import PaymentInput, channel_payment_id
from geo.models import Account, Channel

CSV_COLUMNS = ("channel_txn_id", "account_number", "amount", "paid_at")
MAX_IMPORT_ROWS = 5000


class ChannelRowSchema(Schema):
    """One transaction as an online channel reports it."""

    channel_txn_id = Text(required=True, max_length=64)
    account_number = Text(required=True, max_length=32)
    amount = PositiveAmount(required=True)
    paid_at = fields.AwareDateTime(required=True, validate=INSTANTS)


@dataclass(frozen=True)
class ChannelRow:
    channel_txn_id: str
    account_number: str
    amount: Decimal
    paid_at: dt.datetime


def to_input(session: Session, channel: Channel, row: dict[str, Any]) -> PaymentInput:
    """The payment input of a validated channel row; an unknown account number maps to 0
    (the payment is then quarantined with the number kept in its body)."""
    account_id = session.scalar(select(Account.id).where(Account.number == row["account_number"]))
    return PaymentInput(
        id=channel_payment_id(channel, row["channel_txn_id"]),
        account_id=account_id or 0,
        amount=row["amount"],
        channel=channel,
        collected_at=row["paid_at"],
        channel_txn_id=row["channel_txn_id"],
    )


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
