"""The station's calendar of the villages' rhythms: festival and harvest returns, holidays,
market days per village. The planner's P(home) reads it (``core.planning.calendar``)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, pg_enum


class PeriodKind(enum.StrEnum):
    #: Spring Festival (春节): migrant households come home.
    FESTIVAL = "festival"
    #: Harvest (农忙): migrant households come home to bring it in.
    HARVEST = "harvest"
    #: No collection (public holiday): not a working day of the rolling horizon.
    HOLIDAY = "holiday"


class CalendarPeriod(Base):
    """A named period of the station's calendar, ``first_day`` to ``last_day`` included."""

    __tablename__ = "calendar_period"
    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"), index=True)
    kind: Mapped[PeriodKind] = mapped_column(pg_enum(PeriodKind, "period_kind"))
    name: Mapped[str] = mapped_column(String(60))
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (CheckConstraint("last_day >= first_day", name="day_order"),)


class MarketDay(Base):
    """When a village goes to market (赶集): ISO weekdays (1 Monday .. 7 Sunday) and/or
    days of the solar month (e.g. 逢三六九: 3, 6, 9, 13, ...). How much it empties or fills
    the village is learned from visits, not configured."""

    __tablename__ = "market_day"
    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"), index=True)
    village: Mapped[str] = mapped_column(String(100))
    weekdays: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger), default=list)
    month_days: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger), default=list)

    __table_args__ = (UniqueConstraint("station_id", "village", name="uq_market_day_village"),)
