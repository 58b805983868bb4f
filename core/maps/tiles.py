"""Vector tiles of the map's layers, for a scope: the layers, their fields, their bytes.

:func:`tile_version` is cheap (the scope's map version, :mod:`core.maps.version`), so an
unchanged tile is answered 304 without building it; :func:`render` builds the bytes
with one ``ST_AsMVT`` statement, and :func:`render_versioned` answers the bytes and the
version with that one statement (a first fetch: one round trip).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, Select, String, cast, func, literal, select
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.maps import day as day_layers
from core.maps import layers
from core.maps.version import digest, version_sql
from core.models import Account, Station, Territory
from core.scope import Scope, restrict
from geo.road_tiles import has_roads, road_features
from geo.tiles import Tile, mvt
from geo.travel.network import RoadNetwork

__all__ = [
    "LAYERS",
    "Layer",
    "TileRequest",
    "extent",
    "layer",
    "render",
    "render_versioned",
    "scope_today",
    "tile_etag",
    "tile_statement",
    "tile_version",
]


@dataclass(frozen=True)
class TileRequest:
    """What a tile shows: the layer, the tile, the day (station-local) and a plan id."""

    layer: str
    tile: Tile
    day: dt.date
    plan_id: int | None = None


Builder = Callable[[Session, Scope, TileRequest], Select[Any]]


@dataclass(frozen=True)
class Layer:
    """A tile layer: its features, their fields (TileJSON), zooms and simplification."""

    name: str
    description: str
    fields: dict[str, str]
    build: Builder
    minzoom: int = 0
    maxzoom: int = 22
    simplify_px: float = 0.0
    by_day: bool = False
    #: The builder reads nothing from the session: its statement, built once, serves
    #: every tile of a zoom for the same scope and request (run with the tile's params).
    cacheable: bool = True


ROADS = RoadNetwork(schema="roads")


def _roads(session: Session, scope: Scope, req: TileRequest) -> Select[Any]:
    if not has_roads(session, ROADS):
        return layers.nothing()
    return road_features(ROADS, req.tile)


_ACCOUNT_FIELDS = {
    "id": "account id (detail zoom)",
    "number": "account number (detail zoom)",
    "village": "village (detail zoom)",
    "station_id": "station (detail zoom)",
    "territory_id": "territory (detail zoom)",
    "responsible_id": "responsible collector's user id (detail zoom)",
    "responsible": "responsible collector's name (detail zoom)",
    "arrears_fen": "principal outstanding, fen (a cluster: its sum)",
    "stage": "escalation stage (detail zoom)",
    "days_overdue": "days since the oldest unpaid due date (detail zoom)",
    "cluster": "true for a cluster of accounts (below the detail zoom)",
    "count": "accounts in the cluster",
    "owing": "accounts owing in the cluster",
}

LAYERS: dict[str, Layer] = {
    lyr.name: lyr
    for lyr in (
        Layer(
            "accounts",
            f"Accounts with arrears and stage; clusters below zoom {layers.ACCOUNT_DETAIL_ZOOM}.",
            _ACCOUNT_FIELDS,
            lambda s, sc, r: layers.accounts(sc, r.day, r.tile),
            by_day=True,
        ),
        Layer(
            "territories",
            "Territories with their collectors.",
            {
                "id": "territory id",
                "name": "name",
                "station_id": "station",
                "collector_ids": "collectors' user ids, comma-separated",
                "collectors": "collectors' names",
            },
            lambda s, sc, r: layers.territories(sc, r.tile),
            simplify_px=1.0,
        ),
        Layer(
            "villages",
            "Villages (centroid of their accounts) with accounts, owing and arrears.",
            {
                "name": "village",
                "station_id": "station",
                "accounts": "accounts",
                "owing": "accounts owing",
                "arrears_fen": "principal outstanding, fen",
            },
            lambda s, sc, r: layers.villages(sc, r.day, r.tile),
            by_day=True,
        ),
        Layer(
            "routes",
            "A day's routes (published plan, or ?plan=id) with progress.",
            {
                "id": "route id",
                "plan_id": "plan",
                "collector_id": "collector's user id",
                "collector": "collector's name",
                "stops": "stops",
                "visited": "stops visited that day",
                "progress": "visited / stops",
                "geometry": "road, partly_road (some legs straight) or straight: the stored line",
            },
            lambda s, sc, r: day_layers.routes(sc, r.day, r.plan_id, r.tile),
            by_day=True,
        ),
        Layer(
            "stops",
            "A day's stops (published plan, or ?plan=id) with the outcome of the day.",
            {
                "id": "stop id",
                "route_id": "route",
                "collector_id": "collector's user id",
                "seq": "order in the route",
                "account_id": "account",
                "eta": "planned arrival (UTC, ISO 8601)",
                "expected_fen": "expected recovery, fen",
                "outcome": "last visit outcome that day (absent: not visited)",
            },
            lambda s, sc, r: day_layers.stops(sc, r.day, r.plan_id, r.tile),
            minzoom=10,
            by_day=True,
        ),
        Layer(
            "positions",
            "Each collector's last GNSS fix of the day.",
            {
                "collector_id": "collector's user id",
                "collector": "name",
                "at": "time of the fix (UTC, ISO 8601)",
                "outcome": "outcome of that visit",
            },
            lambda s, sc, r: day_layers.positions(sc, r.day, r.tile),
            by_day=True,
        ),
        Layer(
            "roads",
            "The imported road network (osm2pgrouting ways); empty without one.",
            {"gid": "edge id", "tag_id": "osm2pgrouting class id", "name": "road name"},
            _roads,
            minzoom=8,
            simplify_px=1.0,
            cacheable=False,
        ),
    )
}


def _version_sql(scope: Scope, name: str) -> ColumnElement[Any]:
    """The layer's raw version: the scope's map version and, for ``roads``, what that
    cannot see: the road tables' identity (an import or ``flask demo roads`` recreates
    them)."""
    raw = version_sql(scope)
    if name == "roads":
        oid = cast(cast(func.to_regclass(literal("roads.ways")), Integer), String)
        return func.concat_ws("|", raw, "roads", oid)
    return raw


def layer(name: str) -> Layer:
    """The layer called ``name`` (:class:`NotFound` otherwise)."""
    try:
        return LAYERS[name]
    except KeyError:
        raise NotFound("tile layer") from None


def scope_today(session: Session, scope: Scope, default_tz: str) -> dt.date:
    """Today in the time zone of the scope's first station (admins: ``default_tz``); the
    station is read from the session (the token check loaded the user's stations)."""
    first = min(scope.station_ids, default=None)
    station = session.get(Station, first) if first is not None else None
    tz = station.timezone if station is not None else None
    return dt.datetime.now(ZoneInfo(tz or default_tz)).date()


def tile_version(session: Session, scope: Scope, req: TileRequest) -> str:
    """The version of the tile's data (one small query), for :func:`tile_etag`."""
    return digest(session.scalar(select(_version_sql(scope, req.layer))))


def tile_etag(scope: Scope, req: TileRequest, version: str) -> str:
    """The tile's ETag: its address, the scope, the day and the version of its data
    (:func:`tile_version`)."""
    lyr = layer(req.layer)
    t = req.tile
    parts = [
        lyr.name,
        f"{t.z}/{t.x}/{t.y}",
        f"{scope.role.value}:{scope.user_id}:{sorted(scope.station_ids)}",
        req.day.isoformat() if lyr.by_day else "",
        str(req.plan_id or ""),
        version,
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _build(session: Session, scope: Scope, req: TileRequest) -> Select[Any]:
    lyr = layer(req.layer)
    if not lyr.minzoom <= req.tile.z <= lyr.maxzoom:
        return mvt(layers.nothing(), req.tile, lyr.name)
    features = lyr.build(session, scope, req)
    return mvt(features, req.tile, lyr.name, simplify_px=lyr.simplify_px)


@functools.lru_cache(maxsize=128)
def _built(scope: Scope, req: TileRequest) -> tuple[Select[Any], Select[Any]]:
    # Building an accounts tile's statement (arrears by age) costs tens of ms of Python,
    # more than a small tile's query: a map pans and zooms over the tiles of a few
    # zooms, so the statement of (scope, request, zoom) is built once, for tile
    # (z, 0, 0), and run with each tile's x and y (:meth:`Tile.params`). SQL constructs
    # are immutable; the session is not read by a cacheable layer's builder.
    stmt = _build(None, scope, req)  # type: ignore[arg-type]
    return stmt, stmt.add_columns(_version_sql(scope, req.layer))


def _statements(
    session: Session, scope: Scope, req: TileRequest
) -> tuple[Select[Any], Select[Any]]:
    if layer(req.layer).cacheable:
        return _built(scope, replace(req, tile=Tile(req.tile.z, 0, 0)))
    stmt = _build(session, scope, req)
    return stmt, stmt.add_columns(_version_sql(scope, req.layer))


def tile_statement(session: Session, scope: Scope, req: TileRequest) -> Select[Any]:
    """The one statement answering the tile's bytes (what the bench times bare); run it
    with ``req.tile.params()``."""
    return _statements(session, scope, req)[0]


def render(session: Session, scope: Scope, req: TileRequest) -> bytes:
    """The tile's MVT bytes (empty when the layer has nothing there)."""
    return bytes(session.scalar(tile_statement(session, scope, req), req.tile.params()) or b"")


def render_versioned(session: Session, scope: Scope, req: TileRequest) -> tuple[bytes, str]:
    """The tile's MVT bytes and the version they were read at (:func:`tile_version`),
    from one statement: the tile's, with the version as a second column."""
    stmt = _statements(session, scope, req)[1]
    body, raw = session.execute(stmt, req.tile.params()).one()
    return bytes(body or b""), digest(raw)


def extent(session: Session, scope: Scope) -> tuple[float, float, float, float] | None:
    """West, south, east, north of the scope's accounts and territories (None: empty)."""
    boxes = [
        restrict(select(func.ST_Extent(Account.location)), Account, scope),
        restrict(select(func.ST_Extent(Territory.area)), Territory, scope),
    ]
    found = [b for b in (session.scalar(s) for s in boxes) if b is not None]
    if not found:
        return None
    coords = [[float(v) for v in str(box)[4:-1].replace(",", " ").split()] for box in found]
    return (
        min(c[0] for c in coords),
        min(c[1] for c in coords),
        max(c[2] for c in coords),
        max(c[3] for c in coords),
    )
