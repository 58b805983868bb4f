"""A supervisor's decision on a proposed location (a visit's GPS fix at an approximate
account): the account's location history. Append-only."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import Float, ForeignKey
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.models.accounts import LocationQuality
from core.models.base import Base, created_at_column, pg_enum


class LocationDecisionKind(enum.StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class LocationDecision(Base):
    """Accepted: the account moved from ``from_location`` to the visit's fix (exact);
    rejected: the fix is not proposed again (the next visit's fix may be)."""

    __tablename__ = "location_decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    visit_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("visit.id"), unique=True
    )
    decision: Mapped[LocationDecisionKind] = mapped_column(
        pg_enum(LocationDecisionKind, "location_decision_kind")
    )
    from_location: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=False)
    )
    from_quality: Mapped[LocationQuality] = mapped_column(
        pg_enum(LocationQuality, "location_quality")
    )
    to_location: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=False)
    )
    fix_accuracy_m: Mapped[float | None] = mapped_column(Float)
    decided_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[dt.datetime] = created_at_column()
