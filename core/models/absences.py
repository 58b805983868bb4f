"""A collector's absences (leave, training, sick) by date range; the planner skips them."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, created_at_column, pg_enum


class AbsenceKind(enum.StrEnum):
    LEAVE = "leave"
    TRAINING = "training"
    SICK = "sick"


class Absence(Base):
    """``first_day`` to ``last_day`` included (station-local dates). Two absences of one
    collector never overlap (an exclusion constraint in migration 0017 holds it)."""

    __tablename__ = "collector_absence"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    kind: Mapped[AbsenceKind] = mapped_column(pg_enum(AbsenceKind, "absence_kind"))
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = created_at_column()

    __table_args__ = (CheckConstraint("last_day >= first_day", name="day_order"),)
