"""The append-only money ledger: payments, reversals and their allocation to bills."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Money, created_at_column, pg_enum


class Channel(enum.StrEnum):
    FIELD_CASH = "field_cash"
    FIELD_QR = "field_qr"
    COUNTER = "counter"
    KIOSK = "kiosk"
    ALIPAY = "alipay"
    WECHAT = "wechat"
    BANK = "bank"
    PREPAID = "prepaid"


class EntryKind(enum.StrEnum):
    PAYMENT = "payment"
    REVERSAL = "reversal"


class Payment(Base):
    """One money event. Never updated or deleted: a correction is a reversal entry.

    ``id`` is minted by the client (the collector's phone) or derived from the
    channel's transaction id, so that a replay can never create a second row.
    """

    __tablename__ = "payment"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    kind: Mapped[EntryKind] = mapped_column(pg_enum(EntryKind, "entry_kind"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    amount: Mapped[Money]
    channel: Mapped[Channel] = mapped_column(pg_enum(Channel, "payment_channel"))
    channel_txn_id: Mapped[str | None] = mapped_column(String(64))
    collector_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    collected_at: Mapped[dt.datetime] = mapped_column(index=True)
    recorded_at: Mapped[dt.datetime] = created_at_column()
    device_id: Mapped[str | None] = mapped_column(String(64))
    receipt_no: Mapped[str | None] = mapped_column(String(64), unique=True)
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("payment.id"), unique=True
    )
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    #: SHA-256 of the canonical request body, to tell a replay from a tampered resend.
    body_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        # NaN compares greater than every number in PostgreSQL, so the upper bound
        # also keeps NaN out.
        CheckConstraint("amount > 0 AND amount < 100000000", name="amount_bounds"),
        CheckConstraint(
            "(kind = 'reversal') = (reverses_id IS NOT NULL)", name="reversal_has_original"
        ),
        UniqueConstraint("channel", "channel_txn_id", name="uq_payment_channel_txn"),
    )


class PaymentAllocation(Base):
    """The part of a payment applied to one bill's principal and late fee."""

    __tablename__ = "payment_allocation"
    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("payment.id"), index=True
    )
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id"), index=True)
    #: Negative for the allocations of a reversal.
    principal: Mapped[Money]
    late_fee: Mapped[Money]
    created_at: Mapped[dt.datetime] = created_at_column()
