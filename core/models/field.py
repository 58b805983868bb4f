"""Door-to-door visits recorded by collectors' phones."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, created_at_column, pg_enum


class Outcome(enum.StrEnum):
    PAID = "paid"
    PARTIAL = "partial"
    PROMISE = "promise"
    NOBODY_HOME = "nobody_home"
    REFUSED = "refused"
    MOVED = "moved"
    WRONG_LOCATION = "wrong_location"


class Visit(Base):
    """One door-to-door attempt and its outcome, stored exactly once by the phone's UUID."""

    __tablename__ = "visit"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    collector_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    outcome: Mapped[Outcome] = mapped_column(pg_enum(Outcome, "visit_outcome"))
    promise_date: Mapped[dt.date | None] = mapped_column(Date)
    fix: Mapped[WKBElement | None] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=True
    )
    fix_accuracy_m: Mapped[float | None] = mapped_column(Float)
    device_time: Mapped[dt.datetime] = mapped_column(index=True)
    server_time: Mapped[dt.datetime] = created_at_column()
    stop_id: Mapped[int | None] = mapped_column(ForeignKey("stop.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    device_id: Mapped[str | None] = mapped_column(String(64))
    #: SHA-256 of the canonical upload, to tell a replay from a different body.
    body_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint(
            "(outcome = 'promise') = (promise_date IS NOT NULL)", name="promise_has_date"
        ),
    )
