"""A small map world: two stations' accounts side by side in one tile, a published plan."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import mapbox_vector_tile
from geoalchemy2.elements import WKTElement

from core.models import Account, Outcome, Plan, PlanStatus, Role, Route, Station, Stop, User, Visit
from tests.support.plans import TZ, local_today, overdue_bill

CENTRE = (110.30, 34.14)
SQUARE = "MULTIPOLYGON(((110.29 34.13,110.31 34.13,110.31 34.15,110.29 34.15,110.29 34.13)))"


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """The XYZ tile holding (lon, lat) at zoom ``z``."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def url(layer: str, z: int = 14, lonlat: tuple[float, float] = CENTRE, query: str = "") -> str:
    z, x, y = tile_of(*lonlat, z)
    return f"/api/tiles/{layer}/{z}/{x}/{y}.mvt" + (f"?{query}" if query else "")


def features(data: bytes, layer: str) -> list[dict[str, Any]]:
    """The decoded features of ``layer`` in an MVT (none when the layer is absent)."""
    decoded = mapbox_vector_tile.decode(data)
    return list(decoded.get(layer, {}).get("features", []))


@dataclass
class MapWorld:
    station: Station
    other: Station
    supervisor: User
    col: User
    col2: User
    other_supervisor: User
    accounts: dict[str, Account] = field(default_factory=dict)
    plan: Plan | None = None
    route: Route | None = None


def build_map(factory: Any) -> MapWorld:
    """Station A: ``col`` owns a1 (owes 120.50) and a2 (owes nothing), ``col2`` owns a3;
    station B's b1 sits in the same tile."""
    station = factory.station()
    other = factory.station()
    w = MapWorld(
        station=station,
        other=other,
        supervisor=factory.user(Role.SUPERVISOR, station),
        col=factory.user(Role.COLLECTOR, station),
        col2=factory.user(Role.COLLECTOR, station),
        other_supervisor=factory.user(Role.SUPERVISOR, other),
    )
    lon, lat = CENTRE
    terr = factory.territory(station, SQUARE, w.col, w.col2, name="中片")
    w.accounts["a1"] = factory.account(
        station, w.col, (lon + 0.001, lat + 0.001), village="上河村", territory_id=terr.id
    )
    w.accounts["a2"] = factory.account(station, w.col, (lon + 0.002, lat), village="上河村")
    w.accounts["a3"] = factory.account(station, w.col2, (lon - 0.001, lat), village="下河村")
    w.accounts["b1"] = factory.account(other, None, (lon, lat - 0.001), village="古城村")
    overdue_bill(factory, w.accounts["a1"], "120.50")
    overdue_bill(factory, w.accounts["b1"], "99.00")
    return w


def publish_plan(session: Any, w: MapWorld, day: dt.date | None = None) -> Route:
    """A published plan of ``day`` (today) with col's route a1 -> a2."""
    plan = Plan(
        station_id=w.station.id,
        plan_date=day or local_today(),
        version=1,
        status=PlanStatus.PUBLISHED,
        summary={},
    )
    session.add(plan)
    session.flush()
    route = Route(plan_id=plan.id, collector_id=w.col.id, expected_value=Decimal("50.00"))
    session.add(route)
    session.flush()
    eta = dt.datetime.combine(plan.plan_date, dt.time(9), TZ)
    for seq, key in enumerate(("a1", "a2")):
        session.add(
            Stop(
                route_id=route.id,
                account_id=w.accounts[key].id,
                seq=seq,
                eta=eta + dt.timedelta(minutes=30 * seq),
                departure=eta + dt.timedelta(minutes=30 * seq + 10),
                expected_value=Decimal("25.00"),
                explain={},
            )
        )
    session.flush()
    w.plan, w.route = plan, route
    return route


def visit(session: Any, w: MapWorld, key: str, outcome: Outcome, fix: tuple[float, float]) -> None:
    """col visits account ``key`` now, with a GNSS fix."""
    session.add(
        Visit(
            id=uuid.uuid4(),
            account_id=w.accounts[key].id,
            collector_id=w.col.id,
            outcome=outcome,
            promise_date=None,
            fix=WKTElement(f"POINT({fix[0]} {fix[1]})", srid=4326),
            fix_accuracy_m=8.0,
            device_time=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1),
        )
    )
    session.flush()
