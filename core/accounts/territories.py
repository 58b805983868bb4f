"""Territory services: create, update, delete, collectors. Take a Session; no Flask."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from core.accounts.areas import checked_geojson, polygon_area, recompute_account_territories
from core.accounts.customers import MAX_ID, require_manager, scoped_station
from core.errors import Invalid, NotFound
from core.models import Account, Role, Station, Territory, User, user_station
from core.scope import Scope, get_scoped
from core.stations.area import station_implausibility
from geo.coords import CoordSystem

__all__ = ["create_territory", "delete_territory", "get_territory", "update_territory"]


def get_territory(session: Session, scope: Scope, territory_id: int) -> Territory:
    """The territory if it is in scope, else :class:`NotFound`."""
    if not 1 <= territory_id <= MAX_ID:
        raise NotFound("territory")
    territory = get_scoped(session, Territory, territory_id, scope)
    if territory is None:
        raise NotFound("territory")
    return territory


def _checked_area(session: Session, station: Station, area: Any, system: CoordSystem) -> Any:
    geojson = checked_geojson(area, system)
    ring = geojson["coordinates"][0][0]
    centre = (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
    # The polygon may reach past the service area, but its first ring's centre must be in it.
    reason = station_implausibility(station, centre)
    if reason:
        raise Invalid({"area": [reason]})
    polygon = polygon_area(session, geojson)
    _refuse_other_stations(session, station.id, polygon)
    return polygon


def _refuse_other_stations(session: Session, station_id: int, polygon: Any) -> None:
    """A station's territory may not reach into another station's drawn service area or
    territories (their interiors meet) or cover another station's accounts; the answer
    names none of them."""
    territory = select(Territory.id).where(
        Territory.station_id != station_id,
        func.ST_Relate(Territory.area, polygon, "T********"),
    )
    area = select(Station.id).where(
        Station.id != station_id,
        Station.service_area.is_not(None),
        func.ST_Relate(Station.service_area, polygon, "T********"),
    )
    account = select(Account.id).where(
        Account.station_id != station_id, func.ST_Covers(polygon, Account.location)
    )
    if session.scalar(select(exists(territory) | exists(area) | exists(account))):
        raise Invalid({"area": ["The area reaches into another station's service area."]})


def _collectors(session: Session, station_id: int, ids: Sequence[int]) -> list[User]:
    wanted = set(ids)
    users = list(
        session.scalars(
            select(User).where(
                User.id.in_(wanted),
                User.role == Role.COLLECTOR,
                User.id.in_(
                    select(user_station.c.user_id).where(user_station.c.station_id == station_id)
                ),
            )
        )
    )
    missing = wanted - {u.id for u in users}
    if missing:
        raise Invalid(
            {"collector_ids": [f"No such collectors in this station: {sorted(missing)}."]}
        )
    return users


def _set_collectors(territory: Territory, users: list[User]) -> None:
    """Replace the collectors; those gaining or losing the territory get their tokens revoked."""
    before = {u.id: u for u in territory.collectors}
    after = {u.id: u for u in users}
    for user_id in before.keys() ^ after.keys():
        user = before.get(user_id) or after[user_id]
        user.token_version += 1
    territory.collectors = users


def create_territory(session: Session, scope: Scope, data: dict[str, Any]) -> Territory:
    """Create a territory; the station's accounts inside it are attached to it."""
    require_manager(scope)
    station = scoped_station(session, scope, data.get("station_id"))
    area = _checked_area(session, station, data["area"], data["system"])
    territory = Territory(station_id=station.id, name=data["name"], area=area)
    session.add(territory)
    _set_collectors(territory, _collectors(session, station.id, data.get("collector_ids") or []))
    session.flush()
    recompute_account_territories(session, station.id)
    session.refresh(territory)
    return territory


def update_territory(
    session: Session, scope: Scope, territory: Territory, data: dict[str, Any]
) -> Territory:
    """Rename, redraw or re-staff a territory; accounts follow the new polygon."""
    require_manager(scope)
    station = session.get_one(Station, territory.station_id)
    if "name" in data:
        territory.name = data["name"]
    if "collector_ids" in data:
        _set_collectors(territory, _collectors(session, station.id, data["collector_ids"]))
    if "area" in data:
        territory.area = _checked_area(
            session, station, data["area"], data.get("system", CoordSystem.WGS84)
        )
        session.flush()
        recompute_account_territories(session, station.id)
    session.flush()
    session.refresh(territory)
    return territory


def delete_territory(session: Session, scope: Scope, territory: Territory) -> None:
    """Delete a territory; its collectors lose it, its accounts fall to any other cover."""
    require_manager(scope)
    _set_collectors(territory, [])
    station_id = territory.station_id
    session.flush()

    session.execute(
        update(Account)
        .where(Account.territory_id == territory.id)
        .values(territory_id=None)
        .execution_options(synchronize_session=False)
    )
    session.delete(territory)
    session.flush()
    recompute_account_territories(session, station_id)
