"""Group payments (集团客户) and prepaid deposits (预存电费): append-only ledger tables.

A group payment is one parent row (``group_payment``) plus one child ``payment`` per
account it paid, linked by ``group_payment_part``; each child id is
derived from (parent id, account id). What no account needed stays on the parent as
``unallocated`` (group credit). A prepaid deposit raises an account's balance; every
auto-payment from the balance is a ``payment`` (channel ``prepaid``) linked by
``prepaid_draw``. Balance = deposits - draws + reversed draws, never negative.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Money, created_at_column, pg_enum
from core.models.ledger_extra import AMOUNT_BOUNDS
from core.models.money import Channel


class GroupPayment(Base):
    """One payer's payment for many accounts of a group customer (the parent record)."""

    __tablename__ = "group_payment"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    group_code: Mapped[str] = mapped_column(String(32), index=True)
    amount: Mapped[Money]
    #: The part no bill of the group's accounts needed: group credit, never lost.
    unallocated: Mapped[Money]
    channel: Mapped[Channel] = mapped_column(pg_enum(Channel, "payment_channel"))
    channel_txn_id: Mapped[str | None] = mapped_column(String(64))
    collected_at: Mapped[dt.datetime]
    recorded_at: Mapped[dt.datetime] = created_at_column()
    device_id: Mapped[str | None] = mapped_column(String(64))
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    body_hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint(AMOUNT_BOUNDS, name="amount_bounds"),
        CheckConstraint("unallocated >= 0 AND unallocated <= amount", name="unallocated_bounds"),
        UniqueConstraint("channel", "channel_txn_id", name="uq_group_payment_channel_txn"),
    )


class GroupPaymentPart(Base):
    """The child payment a group payment made to one account."""

    __tablename__ = "group_payment_part"
    payment_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("payment.id"), primary_key=True
    )
    group_payment_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("group_payment.id"), index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)

    __table_args__ = (
        UniqueConstraint("group_payment_id", "account_id", name="uq_group_payment_part_account"),
    )


class PrepaidDeposit(Base):
    """Money put into an account's prepaid balance (预存电费), by a client-minted id."""

    __tablename__ = "prepaid_deposit"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    amount: Mapped[Money]
    channel: Mapped[Channel] = mapped_column(pg_enum(Channel, "payment_channel"))
    collected_at: Mapped[dt.datetime]
    recorded_at: Mapped[dt.datetime] = created_at_column()
    device_id: Mapped[str | None] = mapped_column(String(64))
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    body_hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (CheckConstraint(AMOUNT_BOUNDS, name="amount_bounds"),)


class PrepaidDraw(Base):
    """A payment made from an account's prepaid balance; ``trigger`` is what ran it
    (``deposit:<uuid>`` or ``bill:<id>``) and the payment id is derived from the trigger."""

    __tablename__ = "prepaid_draw"
    payment_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("payment.id"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    amount: Mapped[Money]
    trigger: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = created_at_column()

    __table_args__ = (CheckConstraint(AMOUNT_BOUNDS, name="amount_bounds"),)
