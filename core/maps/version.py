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

import hashlib

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
             WHERE m.station_id = s.id AND m.xid >= x.xmin)
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
             WHERE m.xid >= x.xmin)
    FROM x
    """
)


def map_version(session: Session, scope: Scope) -> str:
    """A short string that changes whenever map data in ``scope``'s stations changes."""
    if scope.is_admin:
        rows = session.execute(_ALL).all()
    else:
        rows = session.execute(_BY_STATIONS, {"ids": sorted(scope.station_ids)}).all()
    raw = ";".join(f"{s}:{settled}:{recent or ''}" for s, settled, recent in rows)
    return hashlib.sha256(raw.encode()).hexdigest()[:20]
