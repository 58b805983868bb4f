"""Territory areas in the database: a polygon's area, overlaps, and which territory covers
a point. The polygon checks themselves are spatial and live in :mod:`geo.territories`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import ColumnElement, cast, func, select, update
from sqlalchemy.orm import Session

from core.errors import Invalid
from core.models import Account, Territory
from geo.coords import CoordSystem
from geo.territories import InvalidArea, area_from_geojson, validate_geojson

__all__ = [
    "Overlap",
    "checked_geojson",
    "covering_territory",
    "overlaps",
    "polygon_area",
    "recompute_account_territories",
]


def checked_geojson(area: Any, system: CoordSystem | str) -> dict[str, Any]:
    """The polygon as checked WGS-84 GeoJSON; :class:`Invalid` on the ``area`` field if not."""
    try:
        return validate_geojson(area, system)
    except InvalidArea as exc:
        raise Invalid({"area": [exc.message]}) from None


def polygon_area(session: Session, geojson: dict[str, Any]) -> Any:
    """A MULTIPOLYGON expression for checked GeoJSON; :class:`Invalid` with PostGIS's reason."""
    try:
        return area_from_geojson(session, geojson)
    except InvalidArea as exc:
        raise Invalid({"area": [exc.message]}) from None


@dataclass(frozen=True)
class Overlap:
    """Another territory of the same station sharing area with this one."""

    territory_id: int
    name: str
    area_m2: float


def overlaps(session: Session, territory: Territory) -> list[Overlap]:
    """The station's other territories whose interior overlaps ``territory``'s."""
    other = (
        select(Territory)
        .where(Territory.station_id == territory.station_id, Territory.id != territory.id)
        .subquery()
    )
    mine = select(Territory.area).where(Territory.id == territory.id).scalar_subquery()
    shared = func.ST_Intersection(other.c.area, mine)
    rows = session.execute(
        select(other.c.id, other.c.name, func.ST_Area(cast(shared, Geography)).label("m2"))
        .where(func.ST_Intersects(other.c.area, mine))
        .order_by(other.c.id)
    ).all()
    return [Overlap(r.id, r.name, round(float(r.m2), 1)) for r in rows if r.m2 > 0]


def covering_territory(station_id: Any, location: Any) -> ColumnElement[Any]:
    """Scalar subquery: the station's territory covering ``location`` (lowest id wins)."""
    return (
        select(Territory.id)
        .where(Territory.station_id == station_id, func.ST_Covers(Territory.area, location))
        .order_by(Territory.id)
        .limit(1)
        .scalar_subquery()
    )


def recompute_account_territories(session: Session, station_id: int) -> int:
    """Set every account of the station to its covering territory; returns rows changed."""
    target = covering_territory(Account.station_id, Account.location)
    result = session.execute(
        update(Account)
        .where(Account.station_id == station_id, Account.territory_id.is_distinct_from(target))
        .values(territory_id=target)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return int(result.rowcount)  # type: ignore[attr-defined]
