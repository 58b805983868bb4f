"""How a supervisor resolved an exception of the review queue: an append-only record."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, created_at_column

#: What a supervisor may record (releases and reversals resolve by themselves).
RESOLUTION_ACTIONS = ("kept_as_credit", "refunded", "returned_to_payer", "duplicate")
#: What the server records by itself: a pending QR upload matched by its channel's notice.
AUTOMATIC_ACTIONS = ("matched",)


class ExceptionResolution(Base):
    """One exception's resolution (an overpayment's payment id or a quarantine's id),
    recorded once: never updated or deleted (triggers refuse it)."""

    __tablename__ = "exception_resolution"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    exception_kind: Mapped[str] = mapped_column(String(16))
    exception_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"), index=True)
    action: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint(
            "exception_kind IN ('overpayment', 'quarantine')", name="exception_kind_known"
        ),
        CheckConstraint(
            "action IN ("
            + ", ".join(f"'{a}'" for a in (*RESOLUTION_ACTIONS, *AUTOMATIC_ACTIONS))
            + ")",
            name="action_known",
        ),
    )
