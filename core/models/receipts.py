"""Device receipt series: blocks of receipt numbers a phone hands out at offline doors.

A series belongs to one collector on one device at one station; its receipt numbers read
``<station code>-D<series id>-<counter>`` (e.g. ``LN-JINGCUN-D3-000042``). The server
issues counters in blocks and accepts a cash or QR payment's receipt number only from its
own device's blocks, once. Both tables are append-only (trigger in migration 0012).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, created_at_column


class ReceiptSeries(Base):
    """One device's receipt series: the station, the collector and the phone."""

    __tablename__ = "receipt_series"
    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"), index=True)
    collector_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    device_id: Mapped[str] = mapped_column(String(64))
    #: What every receipt number of the series starts with, e.g. ``LN-JINGCUN-D3-``.
    prefix: Mapped[str] = mapped_column(String(48), unique=True)
    created_at: Mapped[dt.datetime] = created_at_column()

    __table_args__ = (
        UniqueConstraint("collector_id", "device_id", name="uq_receipt_series_device"),
    )


class ReceiptBlock(Base):
    """Counters ``first``..``last`` of a series, issued to its device at once."""

    __tablename__ = "receipt_block"
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("receipt_series.id"), index=True)
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[dt.datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint("first >= 1 AND last >= first AND last < 1000000", name="counter_range"),
        UniqueConstraint("series_id", "first", name="uq_receipt_block_first"),
    )
