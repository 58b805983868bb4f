"""Routes stored with a plan follow the imported roads, and say so; elsewhere straight."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from geoalchemy2.shape import to_shape

from core.models import Role
from core.planning.draft import PlanDraft, PlannedRoute, PlannedStop
from core.planning.versions import planned_route, store_plan
from demo.roads import generate_roads
from tests.support.plans import TZ, local_today

# A road network is a schema of its own: the owner builds it (flask demo roads, an import).
pytestmark = pytest.mark.as_owner

DEPOT = (110.30, 34.14)
HOUSES = [(110.32, 34.15), (110.35, 34.16), (110.351, 34.1615)]


def _world(factory):
    station = factory.station(depot=DEPOT)
    col = factory.user(Role.COLLECTOR, station)
    accounts = [
        factory.account(station, col, lonlat, village=f"村{i // 2}")
        for i, lonlat in enumerate(HOUSES)
    ]
    return station, col, accounts


def _draft(station, col, accounts) -> PlanDraft:
    day = local_today()
    eta = dt.datetime.combine(day, dt.time(9), TZ)
    stops = tuple(
        PlannedStop(
            account_id=a.id,
            seq=i + 1,
            eta=eta,
            departure=eta,
            expected_value=Decimal("1.00"),
            mandatory=False,
            locked=False,
            explain={},
            lonlat=HOUSES[i],
        )
        for i, a in enumerate(accounts)
    )
    route = PlannedRoute(col.id, stops, 600, Decimal("3.00"), (DEPOT, *HOUSES, DEPOT))
    return PlanDraft(station.id, day, (route,), {})


def test_route_line_follows_the_generated_roads(factory, session):
    """With a road network, the stored line is the road path between stops, marked road."""
    station, col, accounts = _world(factory)
    report = generate_roads(session, station_ids=[station.id])
    assert report.edges > 0
    plan = store_plan(session, _draft(station, col, accounts), job_id=None, created_by=None)
    (route,) = plan.routes
    line = list(to_shape(route.path).coords)
    assert plan.summary["route_geometry"] == {str(col.id): "road"}
    assert len(line) > len(HOUSES) + 2  # road vertices between the stops
    assert line[0] == DEPOT and line[-1] == DEPOT
    again = planned_route(route)
    assert again.on_roads == "road" and again.path == tuple(line)


def test_route_line_is_straight_without_roads(factory, session):
    """Without a road network, the stored line joins the stops straight, marked straight."""
    station, col, accounts = _world(factory)
    plan = store_plan(session, _draft(station, col, accounts), job_id=None, created_by=None)
    (route,) = plan.routes
    assert list(to_shape(route.path).coords) == [DEPOT, *HOUSES, DEPOT]
    assert plan.summary["route_geometry"] == {str(col.id): "straight"}


def test_demo_network_is_in_osm2pgrouting_schema_and_connected(factory, session):
    """The generated network has osm2pgrouting's tables, tracks, and one component."""
    from sqlalchemy import text

    station, _, _ = _world(factory)
    report = generate_roads(session, station_ids=[station.id])
    assert report.tracks > 0
    components = session.execute(
        text(
            "SELECT count(DISTINCT component) FROM pgr_connectedComponents("
            "'SELECT gid AS id, source, target, cost, reverse_cost FROM roads.ways')"
        )
    ).scalar_one()
    assert components == 1
    tags = set(session.scalars(text("SELECT DISTINCT tag_id FROM roads.ways")))
    assert tags <= {108, 109, 113} and 113 in tags
