"""Customer accounts, who is responsible for them (with history), and their bills."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, Money, created_at_column, pg_enum


class Category(enum.StrEnum):
    RESIDENTIAL = "residential"
    NON_RESIDENTIAL = "non_residential"
    TEMPORARY = "temporary"
    GROUP_MEMBER = "group_member"


class LocationQuality(enum.StrEnum):
    """How the account's point was obtained: ``exact`` (a surveyed or GPS point) or
    ``approximate`` (no coordinates in the account list: placed at its village's point)."""

    EXACT = "exact"
    APPROXIMATE = "approximate"


class Account(Base):
    """A customer's electricity account, located at the meter's address."""

    __tablename__ = "account"
    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"), index=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    village: Mapped[str] = mapped_column(String(100), index=True)
    category: Mapped[Category] = mapped_column(pg_enum(Category, "account_category"))
    #: Group customers (集团客户): one payer code shared by many accounts.
    group_code: Mapped[str | None] = mapped_column(String(32), index=True)
    location: Mapped[WKBElement] = mapped_column(Geometry("POINT", srid=4326, spatial_index=True))
    location_quality: Mapped[LocationQuality] = mapped_column(
        pg_enum(LocationQuality, "location_quality"),
        default=LocationQuality.EXACT,
        server_default=LocationQuality.EXACT.value,
    )
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id"), index=True)
    #: Current responsible collector; the history lives in ``account_responsibility``.
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at_column()

    bills: Mapped[list[Bill]] = relationship(back_populates="account")

    #: A station's page by id reads its own accounts only (migration 0035); its
    #: workload reads them from the index alone (0038).
    __table_args__ = (
        Index(
            "ix_account_station_id_id",
            "station_id",
            "id",
            postgresql_include=["responsible_id", "location"],
        ),
    )


class AccountResponsibility(Base):
    """Who was responsible for an account, over ``[valid_from, valid_to)`` local dates."""

    __tablename__ = "account_responsibility"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    collector_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="valid_range"),
        # No two responsibilities of one account may overlap in time.
        ExcludeConstraint(
            ("account_id", "="),
            (text("daterange(valid_from, valid_to, '[)')"), "&&"),
            name="ex_account_responsibility_no_overlap",
            using="gist",
        ),
        Index("ix_account_responsibility_account", "account_id", "valid_from"),
    )


class Bill(Base):
    """A monthly bill; ``period`` is the first day of the billed month."""

    __tablename__ = "bill"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    #: Indexed: the KPIs read a month's bills without the others (migration 0030).
    period: Mapped[dt.date] = mapped_column(Date, index=True)
    amount: Mapped[Money]
    due_date: Mapped[dt.date] = mapped_column(Date)
    #: The meter readings of the period when the utility's file gives them (kWh).
    reading_from: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
    reading_to: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
    created_at: Mapped[dt.datetime] = created_at_column()

    account: Mapped[Account] = relationship(back_populates="bills")
    __table_args__ = (
        UniqueConstraint("account_id", "period", name="uq_bill_account_period"),
        CheckConstraint("amount > 0 AND amount < 100000000", name="amount_bounds"),
        CheckConstraint("extract(day from period) = 1", name="period_first_day"),
    )
