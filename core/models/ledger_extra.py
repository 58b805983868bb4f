"""Money tables beyond payments: rates, receipts, quarantine, exceptions, cash custody, audit.

Cash events, reconciliations and audit rows are append-only (trigger in migration 0003).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Money, created_at_column

#: Bounds shared by every stored amount (NaN is greater than any number in PostgreSQL).
AMOUNT_BOUNDS = "amount > 0 AND amount < 100000000"


class LateFeeRate(Base):
    """One version of the late-fee rates, national (``station_id`` NULL) or per station."""

    __tablename__ = "late_fee_rate"
    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"), index=True)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    residential: Mapped[Decimal] = mapped_column(Numeric(8, 6))
    other_current_year: Mapped[Decimal] = mapped_column(Numeric(8, 6))
    other_earlier_years: Mapped[Decimal] = mapped_column(Numeric(8, 6))
    minimum: Mapped[Money]
    created_at: Mapped[dt.datetime] = created_at_column()

    __table_args__ = (
        UniqueConstraint(
            "station_id",
            "effective_from",
            name="uq_late_fee_rate_version",
            postgresql_nulls_not_distinct=True,
        ),
        CheckConstraint(
            "residential >= 0 AND residential < 0.1 AND other_current_year >= 0 "
            "AND other_current_year < 0.1 AND other_earlier_years >= 0 "
            "AND other_earlier_years < 0.1 AND minimum >= 0 AND minimum < 1000",
            name="rate_bounds",
        ),
    )


class ReceiptCounter(Base):
    """The last receipt number issued by a station in a year (gap-free, row-locked)."""

    __tablename__ = "receipt_counter"
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_no: Mapped[int] = mapped_column(Integer)


class QuarantinedPayment(Base):
    """Uploaded money whose authorization failed: kept for a supervisor, never dropped."""

    __tablename__ = "payment_quarantine"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    #: The station whose supervisors review it (the account's, else the uploader's).
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"), index=True)
    #: As sent; no foreign key, since the account may not exist at all.
    account_id: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[Money]
    channel: Mapped[str] = mapped_column(String(16))
    collector_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    collected_at: Mapped[dt.datetime]
    device_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    body: Mapped[dict[str, Any]] = mapped_column(JSONB)
    body_hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = created_at_column()

    __table_args__ = (CheckConstraint(AMOUNT_BOUNDS, name="amount_bounds"),)


class QuarantineRetarget(Base):
    """A supervisor's finding that a quarantined upload was for another account.

    Append-only: the newest row of a quarantine names the account it is for now (its
    station owns it and may release it); the upload itself is never changed.
    """

    __tablename__ = "quarantine_retarget"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    quarantine_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("payment_quarantine.id"), index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    #: The account's station, which owns the quarantine from now on.
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at_column()


class MoneyException(Base):
    """Something a supervisor must look at, e.g. an overpayment left as account credit."""

    __tablename__ = "money_exception"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    payment_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("payment.id"), index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"), index=True)
    amount: Mapped[Money]
    detail: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at_column()

    __table_args__ = (
        UniqueConstraint("kind", "payment_id", name="uq_money_exception_kind_payment"),
        CheckConstraint("kind IN ('overpayment')", name="kind_known"),
        CheckConstraint(AMOUNT_BOUNDS, name="amount_bounds"),
    )


class CashEvent(Base):
    """A cash-custody ledger entry: a handover to the station, or a counted variance."""

    __tablename__ = "cash_event"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    collector_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"), index=True)
    #: Positive for a handover; signed for a variance (counted minus expected).
    amount: Mapped[Money]
    occurred_at: Mapped[dt.datetime]
    business_date: Mapped[dt.date] = mapped_column(Date)
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    device_id: Mapped[str | None] = mapped_column(String(64))
    reconciliation_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), unique=True)
    body_hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint("kind IN ('handover', 'variance')", name="kind_known"),
        CheckConstraint(
            "(kind = 'handover' AND amount > 0 AND amount < 100000000) OR "
            "(kind = 'variance' AND amount <> 0 AND amount > -100000000 AND amount < 100000000)",
            name="amount_bounds",
        ),
    )


class CashReconciliation(Base):
    """A collector's cash counted at the end of a business day, against what was expected."""

    __tablename__ = "cash_reconciliation"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    collector_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"), index=True)
    business_date: Mapped[dt.date] = mapped_column(Date)
    opening: Mapped[Money]
    collected: Mapped[Money]
    reversed: Mapped[Money]
    handed_over: Mapped[Money]
    expected: Mapped[Money]
    counted: Mapped[Money]
    variance: Mapped[Money]
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    body_hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = created_at_column()

    __table_args__ = (
        UniqueConstraint("collector_id", "business_date", name="uq_cash_reconciliation_day"),
        CheckConstraint("counted >= 0 AND counted < 100000000", name="counted_bounds"),
        CheckConstraint("expected = opening + collected - reversed - handed_over", name="adds_up"),
        CheckConstraint("variance = counted - expected", name="variance_adds_up"),
    )


class MoneyAudit(Base):
    """One row per money event: who, when, from which device, what."""

    __tablename__ = "money_audit"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event: Mapped[str] = mapped_column(String(32), index=True)
    entity_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    account_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    device_id: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB)
    recorded_at: Mapped[dt.datetime] = created_at_column()
