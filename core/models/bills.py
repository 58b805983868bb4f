"""Re-billing: a bill's amount is never overwritten; a changed amount from the utility's
monthly file is an append-only adjustment (the bill's amount is ``bill.amount`` plus its
adjustments, :mod:`core.money.billed`)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Money, created_at_column

#: The one reason an import records.
REBILLED = "re-billed"


class BillAdjustment(Base):
    """``delta`` moves the bill from ``old_amount`` to ``new_amount`` (append-only)."""

    __tablename__ = "bill_adjustment"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id"), index=True)
    delta: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    old_amount: Mapped[Money]
    new_amount: Mapped[Money]
    reason: Mapped[str] = mapped_column(String(32))
    #: Where it came from, e.g. the import file's name and SHA-256.
    source: Mapped[str | None] = mapped_column(String(200))
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint("delta = new_amount - old_amount AND delta <> 0", name="delta_adds_up"),
        CheckConstraint("new_amount > 0 AND new_amount < 100000000", name="new_amount_bounds"),
    )
