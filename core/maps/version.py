"""The version of a scope's map data, for tile ETags: it changes whenever a write to the
data of one of the scope's stations commits (``map_change``, written by triggers).

Reading "the last change" by id or by transaction id would miss a transaction that
took a smaller id but commits after a larger one. Instead, with ``X`` the snapshot's
xmin (every transaction below it has ended): the version is the largest transaction id
below ``X`` that changed the stations, plus the ids of the visible changes at or above
``X``. A commit after an earlier reading either lies below the new ``X`` (then above
the old ``X``, so the first part grows) or at or above it (then its rows join the
second part). Both parts are index lookups on ``(station_id, xid)``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.models.sync import SNAPSHOT_XMIN
from core.scope import Scope

_BY_STATIONS = text(
    f"""
    WITH x AS (SELECT {SNAPSHOT_XMIN} AS xmin)
    SELECT s.id,
           (SELECT max(m.xid) FROM map_change m
             WHERE m.station_id = s.id AND m.xid < x.xmin),
           (SELECT string_agg(m.id::text, ',' ORDER BY m.id) FROM map_change m
             WHERE m.station_id = s.id AND m.xid >= x.xmin),
           (now() AT TIME ZONE coalesce(
               (SELECT st.timezone FROM station st WHERE st.id = s.id), :tz))::date
    FROM unnest(CAST(:ids AS integer[])) AS s(id), x
    ORDER BY s.id
    """
)
_ALL = text(
    f"""
    WITH x AS (SELECT {SNAPSHOT_XMIN} AS xmin)
    SELECT 0,
           (SELECT max(m.xid) FROM map_change m WHERE m.xid < x.xmin),
           (SELECT string_agg(m.id::text, ',' ORDER BY m.id) FROM map_change m
             WHERE m.xid >= x.xmin),
           (now() AT TIME ZONE :tz)::date
    FROM x
    """
)


@dataclass(frozen=True)
class MapState:
    """The scope's map version and today's date at its first station (one query)."""

    version: str
    today: dt.date


def map_state(session: Session, scope: Scope, default_tz: str) -> MapState:
    """The version of the map data in ``scope``'s stations (it changes whenever a write
    there commits) and today at the scope's first station (admins, none: ``default_tz``)."""
    if scope.is_admin or not scope.station_ids:
        rows = session.execute(_ALL, {"tz": default_tz}).all()
    else:
        ids = sorted(scope.station_ids)
        rows = session.execute(_BY_STATIONS, {"ids": ids, "tz": default_tz}).all()
    raw = ";".join(f"{s}:{settled}:{recent or ''}" for s, settled, recent, _ in rows)
    return MapState(hashlib.sha256(raw.encode()).hexdigest()[:20], rows[0][3])


def map_version(session: Session, scope: Scope, default_tz: str = "Asia/Shanghai") -> str:
    """A short string that changes whenever map data in ``scope``'s stations changes."""
    return map_state(session, scope, default_tz).version
