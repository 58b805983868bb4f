"""The version of a scope's map data, for tile ETags: it changes whenever a write to the
data of one of the scope's stations commits (``map_change``, written by triggers).

Reading "the last change" by id or by transaction id would miss a transaction that
took a smaller id but commits after a larger one. Instead, with ``X`` the snapshot's
xmin (every transaction below it has ended): the version is the largest transaction id
below ``X`` that changed the stations, plus the ids of the visible changes at or above
``X``. A commit after an earlier reading either lies below the new ``X`` (then above
the old ``X``, so the first part grows) or at or above it (then its rows join the
second part). Both parts are index lookups on ``(station_id, xid)``; the second is
hashed in SQL (md5 of the ids), since a transaction left open anywhere on the cluster
holds ``X`` back and the unsettled changes then pile up.

The version is one SQL expression (:func:`version_sql`), so a tile's statement can
answer its version with its bytes in one round trip; :func:`map_version` reads it alone.
Only each station's newest settled change counts, so older ones are pruned
(:func:`prune`) without changing any version.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, bindparam, column, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from core.models.sync import SNAPSHOT_XMIN
from core.scope import Scope

__all__ = ["digest", "map_version", "prune", "version_sql"]

_BY_STATIONS = f"""
    WITH x AS (SELECT {SNAPSHOT_XMIN} AS xmin)
    SELECT string_agg(
        concat_ws(':', s.id,
            (SELECT max(m.xid) FROM map_change m
              WHERE m.station_id = s.id AND m.xid < x.xmin),
            (SELECT md5(string_agg(m.id::text, ',' ORDER BY m.id)) FROM map_change m
              WHERE m.station_id = s.id AND m.xid >= x.xmin)),
        ';' ORDER BY s.id)
    FROM unnest(CAST(:map_station_ids AS integer[])) AS s(id), x
"""
_ALL = f"""
    WITH x AS (SELECT {SNAPSHOT_XMIN} AS xmin)
    SELECT concat_ws(':', 0,
        (SELECT max(m.xid) FROM map_change m WHERE m.xid < x.xmin),
        (SELECT md5(string_agg(m.id::text, ',' ORDER BY m.id)) FROM map_change m
          WHERE m.xid >= x.xmin))
    FROM x
"""


def version_sql(scope: Scope) -> ColumnElement[Any]:
    """The raw version of the map data in ``scope``'s stations (all of them for an admin),
    as a scalar SQL expression: hash it with :func:`digest`."""
    if scope.is_admin or not scope.station_ids:
        query = text(_ALL)
    else:
        ids = bindparam("map_station_ids", sorted(scope.station_ids), type_=ARRAY(Integer))
        query = text(_BY_STATIONS).bindparams(ids)
    return query.columns(column("raw", String)).scalar_subquery()


def digest(raw: str | None) -> str:
    """A short string for a raw version (:func:`version_sql`)."""
    return hashlib.sha256((raw or "").encode()).hexdigest()[:20]


def map_version(session: Session, scope: Scope) -> str:
    """A short string that changes whenever map data in ``scope``'s stations changes."""
    return digest(session.scalar(select(version_sql(scope))))


#: Deletes each station's changes older than its newest settled one (below the snapshot's
#: xmin): no version reads them (only the newest settled change and the unsettled ones
#: count), so the log stays a few rows a station.
_PRUNE = text(
    f"""
    WITH x AS (SELECT {SNAPSHOT_XMIN} AS xmin),
    newest AS (
        SELECT m.station_id, max(m.xid) AS xid FROM map_change m, x
         WHERE m.xid < x.xmin GROUP BY m.station_id
    )
    DELETE FROM map_change m USING newest n
     WHERE m.station_id = n.station_id AND m.xid < n.xid
    """
)


def prune(session: Session) -> int:
    """Delete the change log rows no version reads any more; the number deleted."""
    result: Any = session.execute(_PRUNE)
    return int(result.rowcount or 0)
