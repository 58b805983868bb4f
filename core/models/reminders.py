"""The SMS reminder outbox: one row per (account, reason, day), so nothing is sent twice."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, created_at_column, pg_enum


class ReminderKind(enum.StrEnum):
    VISIT_TOMORROW = "visit_tomorrow"
    PROMISE_DUE = "promise_due"


class ReminderStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Reminder(Base):
    __tablename__ = "reminder"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    kind: Mapped[ReminderKind] = mapped_column(pg_enum(ReminderKind, "reminder_kind"))
    day: Mapped[dt.date] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[ReminderStatus] = mapped_column(
        pg_enum(ReminderStatus, "reminder_status"), index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at_column()
    sent_at: Mapped[dt.datetime | None]

    __table_args__ = (
        UniqueConstraint("account_id", "kind", "day", name="uq_reminder_account_kind_day"),
    )
