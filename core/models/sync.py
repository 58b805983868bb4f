"""The change log behind delta sync for collectors' phones.

Rows are written by triggers (see the migration) and carry the 64-bit id of the
writing transaction (``pg_current_xact_id()``, stored as bigint), so that a cursor
built from ``pg_snapshot_xmin`` never misses a change whose transaction commits out
of order.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Identity, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, created_at_column

CURRENT_XID = "(pg_current_xact_id()::text)::bigint"
SNAPSHOT_XMIN = "(pg_snapshot_xmin(pg_current_snapshot())::text)::bigint"


class ChangeLog(Base):
    """One change that a collector's phone must learn about ('upsert' or 'delete')."""

    __tablename__ = "change_log"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    xid: Mapped[int] = mapped_column(BigInteger, server_default=text(CURRENT_XID))
    audience_id: Mapped[int] = mapped_column(Integer)
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(64))
    op: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = created_at_column()

    __table_args__ = (
        Index("ix_change_log_audience_xid", "audience_id", "xid", "id"),
        # The rows of one transaction (api/route_cache.py, migration 0018).
        Index("ix_change_log_xid", "xid"),
    )


class SyncHorizon(Base):
    """Cursors below ``min_xid`` point at pruned history: they get 410 Gone."""

    __tablename__ = "sync_horizon"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    min_xid: Mapped[int] = mapped_column(BigInteger)


class MapChange(Base):
    """A statement changed map data of a station (accounts, bills, payments, visits,
    territories, plans): written by triggers (migration 0016), read for tile ETags."""

    __tablename__ = "map_change"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    xid: Mapped[int] = mapped_column(BigInteger, server_default=text(CURRENT_XID))
    station_id: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_map_change_station_xid", "station_id", "xid"),
        Index("ix_map_change_xid", "xid"),
    )
