"""The organisation: county company, stations, territories, users and collectors."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    FetchedValue,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, Money, created_at_column, pg_enum
from geo.modes import TravelMode


class Role(enum.StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    COLLECTOR = "collector"


class County(Base):
    """A county power supply company (县供电公司)."""

    __tablename__ = "county"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = created_at_column()


class Station(Base):
    """A power supply station (供电所) with its depot and local timezone."""

    __tablename__ = "station"
    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    depot: Mapped[WKBElement] = mapped_column(Geometry("POINT", srid=4326, spatial_index=True))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    #: Radius of the service area around the depot, for plausibility checks of coordinates.
    service_radius_m: Mapped[int] = mapped_column(Integer, default=40_000)
    #: A visit whose GPS fix lies farther than this from the account is flagged in the log.
    visit_flag_distance_m: Mapped[int] = mapped_column(
        Integer, default=300, server_default=text("300")
    )
    #: The drawn service area; when set, customer positions must lie inside it.
    service_area: Mapped[WKBElement | None] = mapped_column(
        Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=True
    )
    #: ISO weekdays (1 Monday .. 7 Sunday) the station collects on.
    working_days: Mapped[list[int]] = mapped_column(
        ARRAY(SmallInteger), default=lambda: [1, 2, 3, 4, 5, 6, 7]
    )
    #: The default shift and lunch of a new collector (station-local times).
    shift_start: Mapped[dt.time] = mapped_column(Time, default=dt.time(8, 0))
    shift_end: Mapped[dt.time] = mapped_column(Time, default=dt.time(17, 30))
    break_start: Mapped[dt.time | None] = mapped_column(Time, default=dt.time(12, 0))
    break_minutes: Mapped[int] = mapped_column(Integer, default=60)
    #: The payment hall's opening hours (station-local), when it has one.
    hall_opens: Mapped[dt.time | None] = mapped_column(Time, nullable=True)
    hall_closes: Mapped[dt.time | None] = mapped_column(Time, nullable=True)
    #: A closed station keeps its history (money is never deleted) but takes no new work.
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: The largest confirmed field payment beyond what an account owes (yuan); above it
    #: the money goes through the counter (core.money.field_checks).
    field_payment_cap: Mapped[Money] = mapped_column(
        default=Decimal("10000.00"), server_default="10000.00"
    )
    created_at: Mapped[dt.datetime] = created_at_column()

    county: Mapped[County] = relationship()
    __table_args__ = (
        CheckConstraint("service_radius_m > 0", name="service_radius_positive"),
        CheckConstraint(
            "visit_flag_distance_m > 0 AND visit_flag_distance_m <= 100000",
            name="visit_flag_distance_bounds",
        ),
        CheckConstraint("shift_end > shift_start", name="shift_order"),
        CheckConstraint("break_minutes >= 0 AND break_minutes <= 240", name="break_bounds"),
        CheckConstraint("hall_closes > hall_opens", name="hall_hours_order"),
        CheckConstraint(
            "field_payment_cap > 0 AND field_payment_cap < 100000000", name="field_cap_bounds"
        ),
    )


territory_collector = Table(
    "territory_collector",
    Base.metadata,
    Column("territory_id", ForeignKey("territory.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
)

user_station = Table(
    "user_station",
    Base.metadata,
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("station_id", ForeignKey("station.id", ondelete="CASCADE"), primary_key=True),
)


class Territory(Base):
    """A polygon of responsibility inside one station."""

    __tablename__ = "territory"
    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    area: Mapped[WKBElement] = mapped_column(
        Geometry("MULTIPOLYGON", srid=4326, spatial_index=True)
    )
    created_at: Mapped[dt.datetime] = created_at_column()

    station: Mapped[Station] = relationship()
    collectors: Mapped[list[User]] = relationship(secondary=territory_collector)


class User(Base):
    """A person who logs in: admin, supervisor or collector, scoped to stations."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[Role] = mapped_column(pg_enum(Role, "user_role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Bumped on role/scope change or password reset: older tokens stop working. The
    #: database bumps it too when role, password, username or active change (0012).
    token_version: Mapped[int] = mapped_column(
        Integer, default=1, server_onupdate=FetchedValue()
    )
    #: Set when someone else chose the password: every request but the change is refused.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = created_at_column()

    stations: Mapped[list[Station]] = relationship(secondary=user_station)
    profile: Mapped[CollectorProfile | None] = relationship(back_populates="user")


class CollectorProfile(Base):
    """A collector's home, travel mode and working hours (station-local times)."""

    __tablename__ = "collector_profile"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    home: Mapped[WKBElement | None] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=True
    )
    travel_mode: Mapped[TravelMode] = mapped_column(pg_enum(TravelMode, "travel_mode"))
    shift_start: Mapped[dt.time] = mapped_column(Time, default=dt.time(8, 0))
    shift_end: Mapped[dt.time] = mapped_column(Time, default=dt.time(17, 30))
    break_start: Mapped[dt.time | None] = mapped_column(Time, default=dt.time(12, 0))
    break_minutes: Mapped[int] = mapped_column(Integer, default=60)
    starts_at_home: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Where the day ends: home (True), the station (False), or like the start (None).
    ends_at_home: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    #: What the collector may do beyond visits (``core.users.profiles.SKILLS``).
    skills: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    #: Most stops the planner gives them in a day; None: as many as the shift allows.
    day_cap: Mapped[int | None] = mapped_column(Integer, nullable=True)

    user: Mapped[User] = relationship(back_populates="profile")
    __table_args__ = (
        CheckConstraint("shift_end > shift_start", name="shift_order"),
        CheckConstraint("break_minutes >= 0 AND break_minutes <= 240", name="break_bounds"),
        CheckConstraint("day_cap > 0 AND day_cap <= 200", name="day_cap_bounds"),
    )
