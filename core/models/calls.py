"""Calls ahead (电话预约): a collector phones a customer before the visit; the outcome
changes the plan of ``for_date`` (``core.planning.calls``)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Time
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, created_at_column, pg_enum


class CallOutcome(enum.StrEnum):
    #: Will be home between ``home_from`` and ``home_until``: a time window.
    HOME_AT = "home_at"
    #: Will pay online (Alipay, WeChat, the hall): no visit that day.
    PAY_ONLINE = "pay_online"
    #: Says they will not pay: the visit is worth less.
    REFUSES = "refuses"
    #: Away that day: nobody to find at the door.
    AWAY = "away"
    NO_ANSWER = "no_answer"


class Call(Base):
    """One call ahead and its outcome, stored exactly once by the phone's UUID."""

    __tablename__ = "call"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    collector_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    #: The station-local day the call is about (the visit's day).
    for_date: Mapped[dt.date] = mapped_column(Date, index=True)
    outcome: Mapped[CallOutcome] = mapped_column(pg_enum(CallOutcome, "call_outcome"))
    home_from: Mapped[dt.time | None] = mapped_column(Time)
    home_until: Mapped[dt.time | None] = mapped_column(Time)
    called_at: Mapped[dt.datetime]
    server_time: Mapped[dt.datetime] = created_at_column()
    device_id: Mapped[str | None] = mapped_column(String(64))
    #: SHA-256 of the canonical upload, to tell a replay from a different body.
    body_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint(
            "(outcome = 'home_at') = (home_from IS NOT NULL AND home_until IS NOT NULL)",
            name="home_at_has_window",
        ),
        CheckConstraint("home_until > home_from", name="window_order"),
    )
