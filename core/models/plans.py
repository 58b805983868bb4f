"""Daily plans: one station's routes for one day, each an ordered list of stops."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import TYPE_CHECKING

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import Boolean, Date, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, Money, created_at_column, pg_enum

if TYPE_CHECKING:
    from core.models.org import Station


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


class Plan(Base):
    """A versioned plan for one station and one local date; collectors see published ones."""

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"), index=True)
    plan_date: Mapped[dt.date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[PlanStatus] = mapped_column(pg_enum(PlanStatus, "plan_status"))
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("job.id"), unique=True
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = created_at_column()
    published_at: Mapped[dt.datetime | None]
    #: Accounts left out, each with its reason, and solver statistics.
    summary: Mapped[dict[str, object]] = mapped_column(JSONB, default=dict)

    routes: Mapped[list[Route]] = relationship(back_populates="plan", order_by="Route.id")
    #: Its time zone is the plan's wall clock.
    station: Mapped[Station] = relationship(viewonly=True)
    __table_args__ = (
        UniqueConstraint("station_id", "plan_date", "version", name="uq_plan_station_date_ver"),
    )


class PlanPublication(Base):
    """Who published a plan version, when, with the plan check's verdict then, and the
    reason given to publish a version the check found infeasible. Append-only."""

    __tablename__ = "plan_publication"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    feasible: Mapped[bool | None] = mapped_column(Boolean)
    violations: Mapped[int | None] = mapped_column(Integer)
    override_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at_column()


class Route(Base):
    """One collector's ordered stops within a plan."""

    __tablename__ = "route"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    collector_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    travel_seconds: Mapped[int] = mapped_column(Integer, default=0)
    expected_value: Mapped[Money]
    path: Mapped[WKBElement | None] = mapped_column(
        Geometry("LINESTRING", srid=4326, spatial_index=False), nullable=True
    )

    plan: Mapped[Plan] = relationship(back_populates="routes")
    stops: Mapped[list[Stop]] = relationship(back_populates="route", order_by="Stop.seq")
    __table_args__ = (UniqueConstraint("plan_id", "collector_id", name="uq_route_plan_collector"),)


class Stop(Base):
    """A planned visit: position in the route, ETA and what it is expected to recover."""

    __tablename__ = "stop"
    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("route.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    eta: Mapped[dt.datetime]
    departure: Mapped[dt.datetime]
    expected_value: Mapped[Money]
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The numbers behind the expected value (amount due, P(pay), P(home)).
    explain: Mapped[dict[str, object]] = mapped_column(JSONB, default=dict)

    route: Mapped[Route] = relationship(back_populates="stops")
    __table_args__ = (UniqueConstraint("route_id", "seq", name="uq_stop_route_seq"),)
