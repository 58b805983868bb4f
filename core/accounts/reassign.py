"""Bulk reassignment by territory, account ids or polygon. Takes a Session; no Flask."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from core.accounts.areas import checked_geojson, polygon_area
from core.accounts.customers import local_today, require_manager, scoped_station
from core.accounts.responsibility import ReassignResult, check_collector, ids_param, reassign
from core.errors import Invalid
from core.models import Account, AccountResponsibility, Territory
from core.scope import Scope, get_scoped, restrict
from geo.coords import CoordSystem

__all__ = ["bulk_reassign", "responsible_on_day"]

MAX_BACKDATE_DAYS = 366
MAX_AHEAD_DAYS = 62


def _selection(session: Session, scope: Scope, station_id: int, data: dict[str, Any]) -> list[int]:
    """Ids of the selected accounts, all in scope and in the station."""
    stmt = restrict(select(Account.id), Account, scope).where(Account.station_id == station_id)
    if data.get("territory_id") is not None:
        territory = get_scoped(session, Territory, data["territory_id"], scope)
        if territory is None or territory.station_id != station_id:
            raise Invalid({"territory_id": ["No such territory in this station."]})
        stmt = stmt.where(Account.territory_id == territory.id)
    elif data.get("account_ids") is not None:
        wanted = set(data["account_ids"])
        found = set(session.scalars(stmt.where(ids_param(sorted(wanted)))))
        if wanted - found:
            raise Invalid(
                {
                    "account_ids": [
                        f"No such accounts in this station: {sorted(wanted - found)[:50]}."
                    ]
                }
            )
        return sorted(found)
    else:
        geojson = checked_geojson(data["area"], data.get("system", CoordSystem.WGS84))
        stmt = stmt.where(func.ST_Covers(polygon_area(session, geojson), Account.location))
    return list(session.scalars(stmt.order_by(Account.id)))


def bulk_reassign(
    session: Session, scope: Scope, data: dict[str, Any]
) -> tuple[ReassignResult, dt.date]:
    """Give the selected accounts to one collector from the effective date (idempotent)."""
    require_manager(scope)
    station = scoped_station(session, scope, data.get("station_id"))
    today = local_today(station)
    effective = data.get("effective") or today
    if not (
        today - dt.timedelta(days=MAX_BACKDATE_DAYS)
        <= effective
        <= today + dt.timedelta(days=MAX_AHEAD_DAYS)
    ):
        raise Invalid(
            {
                "effective": [
                    f"Must be within {MAX_BACKDATE_DAYS} days before and "
                    f"{MAX_AHEAD_DAYS} days after today."
                ]
            }
        )
    check_collector(session, data["collector_id"], station.id, "collector_id")
    ids = _selection(session, scope, station.id, data)
    return reassign(session, ids, data["collector_id"], effective, scope.user_id), effective


def responsible_on_day(scope: Scope, day: dt.date, collector_id: int | None) -> Select[Any]:
    """History rows covering ``day`` for the accounts in scope (order/page left to the caller)."""
    stmt = select(AccountResponsibility).where(
        AccountResponsibility.account_id.in_(restrict(select(Account.id), Account, scope)),
        AccountResponsibility.valid_from <= day,
        or_(AccountResponsibility.valid_to.is_(None), AccountResponsibility.valid_to > day),
    )
    if collector_id is not None:
        stmt = stmt.where(AccountResponsibility.collector_id == collector_id)
    return stmt
