"""The station layers' features, scoped: accounts (or their clusters), territories, villages.

Each builder answers a SELECT with a WGS-84 ``geom`` column and the attribute columns of
the layer, limited to the caller's scope (:mod:`core.scope`) and to the tile's box.
Amounts are integer fen (``arrears_fen``): exact, and numbers a map style can compare.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    Subquery,
    any_,
    cast,
    false,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.orm import aliased

from core.models import Account, Territory, User, territory_collector
from core.money.aging import Stage
from core.money.arrears import account_arrears_subquery
from core.money.arrears_sql import arrears_by_age
from core.scope import Scope, restrict
from geo.tiles import Tile, cluster_cell

#: Below this zoom the accounts layer answers clusters (count and sum per grid cell).
ACCOUNT_DETAIL_ZOOM = 14


def _fen(amount: Any) -> Any:
    return cast(func.round(func.coalesce(amount, 0) * 100), BigInteger)


def _tile_accounts(scope: Scope, tile: Tile) -> ColumnElement[Any]:
    """The ids of the scope's accounts in the tile (and its buffer), as an SQL array
    (index on the location): the tile's one statement finds them, then reads their bills
    alone, with no round trip to fetch the ids first."""
    found = restrict(
        select(Account.id).where(Account.location.op("&&")(tile.bbox_wgs84())), Account, scope
    ).cte("tile_accounts")
    return func.array(select(found.c.id).scalar_subquery())


def _among(ids: ColumnElement[Any]) -> ColumnElement[bool]:
    return Account.id == any_(ids)


def account_points(scope: Scope, day: dt.date, tile: Tile) -> Select[Any]:
    """One row per account in scope in the tile: arrears as of ``day`` and stage.

    The tile's accounts are found first (index on the location), so their arrears are
    computed for them alone (:func:`core.money.arrears_sql.arrears_by_age`).
    """
    ids = _tile_accounts(scope, tile)
    owed = arrears_by_age(day, account_ids=ids)
    responsible = aliased(User)
    return (
        select(
            Account.id.label("id"),
            Account.number.label("number"),
            Account.village.label("village"),
            cast(Account.location_quality, String).label("location_quality"),
            Account.station_id.label("station_id"),
            Account.territory_id.label("territory_id"),
            Account.responsible_id.label("responsible_id"),
            responsible.display_name.label("responsible"),
            _fen(owed.c.principal).label("arrears_fen"),
            func.coalesce(owed.c.stage, Stage.NONE.value).label("stage"),
            func.coalesce(owed.c.oldest_days_overdue, 0).label("days_overdue"),
            Account.location.label("geom"),
        )
        .outerjoin(owed, owed.c.account_id == Account.id)
        .outerjoin(responsible, responsible.id == Account.responsible_id)
        .where(_among(ids))
    )


def _owing(day: dt.date, ids: ColumnElement[Any]) -> Subquery:
    """Accounts ``ids`` with their station, village, principal outstanding (fen), point."""
    owed = account_arrears_subquery(day, account_ids=ids)
    return (
        select(
            Account.station_id,
            Account.village,
            _fen(owed.c.arrears).label("arrears_fen"),
            Account.location.label("geom"),
        )
        .outerjoin(owed, owed.c.account_id == Account.id)
        .where(_among(ids))
        .subquery("points")
    )


def accounts(scope: Scope, day: dt.date, tile: Tile) -> Select[Any]:
    """Accounts at ``ACCOUNT_DETAIL_ZOOM`` and above; below, one point per grid cell with
    ``cluster`` true, ``count``, ``owing`` (accounts owing) and ``arrears_fen`` (sum of
    principal outstanding)."""
    if tile.z >= ACCOUNT_DETAIL_ZOOM:
        return account_points(scope, day, tile).add_columns(
            literal(False).label("cluster")
        )
    p = _owing(day, _tile_accounts(scope, tile))
    return select(
        literal(True).label("cluster"),
        func.count().label("count"),
        func.count().filter(p.c.arrears_fen > 0).label("owing"),
        cast(func.sum(p.c.arrears_fen), BigInteger).label("arrears_fen"),
        func.ST_Centroid(func.ST_Collect(p.c.geom)).label("geom"),
    ).group_by(cluster_cell(p.c.geom, tile.z))


def villages(scope: Scope, day: dt.date, tile: Tile) -> Select[Any]:
    """One point per village in scope (the centroid of its accounts) with its accounts,
    those owing and their arrears; the statement finds the villages whose point is in the
    tile first, then computes arrears for their accounts alone."""
    places = restrict(
        select(Account.station_id, Account.village, Account.location), Account, scope
    ).subquery("places")
    in_tile = (
        select(places.c.station_id, places.c.village)
        .group_by(places.c.station_id, places.c.village)
        .having(func.ST_Centroid(func.ST_Collect(places.c.location)).op("&&")(tile.bbox_wgs84()))
        .cte("tile_villages")
    )
    of_villages = tuple_(Account.station_id, Account.village).in_(
        select(in_tile.c.station_id, in_tile.c.village)
    )
    found = restrict(select(Account.id).where(of_villages), Account, scope).cte("village_accounts")
    p = _owing(day, func.array(select(found.c.id).scalar_subquery()))
    return select(
        p.c.village.label("name"),
        p.c.station_id.label("station_id"),
        func.count().label("accounts"),
        func.count().filter(p.c.arrears_fen > 0).label("owing"),
        cast(func.sum(p.c.arrears_fen), BigInteger).label("arrears_fen"),
        func.ST_Centroid(func.ST_Collect(p.c.geom)).label("geom"),
    ).group_by(p.c.station_id, p.c.village)


def territories(scope: Scope, tile: Tile) -> Select[Any]:
    """Territories in scope: id, name, station and their collectors (ids and names)."""
    collectors = (
        select(
            func.string_agg(User.display_name, "、").label("names"),
            func.string_agg(cast(User.id, String), ",").label("ids"),
        )
        .select_from(territory_collector)
        .join(User, User.id == territory_collector.c.user_id)
        .where(territory_collector.c.territory_id == Territory.id)
        .lateral("collectors")
    )
    stmt = (
        select(
            Territory.id.label("id"),
            Territory.name.label("name"),
            Territory.station_id.label("station_id"),
            collectors.c.ids.label("collector_ids"),
            collectors.c.names.label("collectors"),
            Territory.area.label("geom"),
        )
        .outerjoin(collectors, literal(True))
        .where(Territory.area.op("&&")(tile.bbox_wgs84()))
    )
    return restrict(stmt, Territory, scope)


def nothing() -> Select[Any]:
    """An empty layer."""
    return select(literal(None).label("geom")).where(false())
