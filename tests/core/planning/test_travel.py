"""Plan jobs take road times from an imported network that reaches the station.

The network is built inside the test's transaction in the default ``roads`` schema
(osm2pgrouting's layout): one vertex at the depot, at each collector's home and at each
account, chained west to east by winding roads three times as long as the straight line.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import Connection, text

from core.models import Account, Job, JobStatus, Plan, TravelMode
from core.planning.runner import run_plan_job
from core.planning.travel import station_travel
from geo.travel import GreatCircleProvider, NoRoadNetwork, RoadNetwork, choose_provider, haversine_m
from tests.support.plans import FAST, build_day

# A road network is a schema of its own: the owner builds it (flask demo roads, an import).
pytestmark = pytest.mark.as_owner

WINDING = 3.0


def _build_roads(conn: Connection, points: list[tuple[float, float]]) -> None:
    conn.execute(text("CREATE SCHEMA roads"))
    conn.execute(
        text(
            "CREATE TABLE roads.ways_vertices_pgr "
            "(id bigint PRIMARY KEY, the_geom geometry(Point, 4326))"
        )
    )
    conn.execute(
        text(
            "CREATE TABLE roads.ways (gid bigint PRIMARY KEY, source bigint, target bigint, "
            "tag_id integer, cost_s float8, reverse_cost_s float8, length_m float8, "
            "the_geom geometry(LineString, 4326))"
        )
    )
    ordered = sorted(set(points))
    conn.execute(
        text(
            "INSERT INTO roads.ways_vertices_pgr "
            "VALUES (:id, ST_SetSRID(ST_MakePoint(:x, :y), 4326))"
        ),
        [{"id": i + 1, "x": x, "y": y} for i, (x, y) in enumerate(ordered)],
    )
    edges = []
    for i, (a, b) in enumerate(zip(ordered, ordered[1:], strict=False)):
        length = WINDING * float(haversine_m(np.array([a]), np.array([b]))[0, 0])
        edges.append({"gid": i + 1, "s": i + 1, "t": i + 2, "len": length, "c": length / 20.0})
    conn.execute(
        text(
            "INSERT INTO roads.ways SELECT :gid, :s, :t, 110, :c, :c, :len, "
            "ST_MakeLine(a.the_geom, b.the_geom) FROM roads.ways_vertices_pgr a, "
            "roads.ways_vertices_pgr b WHERE a.id = :s AND b.id = :t"
        ),
        edges,
    )


@pytest.fixture
def day_with_roads(factory, connection):
    day = build_day(factory, per_side=3)
    points = [_lonlat(day.station.depot)]
    points += [_lonlat(a.location) for accs in day.accounts.values() for a in accs]
    _build_roads(connection, points)
    return day


def _plan(app, session, day, settings):
    job = Job(
        kind="plan",
        status=JobStatus.QUEUED,
        station_id=day.station.id,
        payload={
            "station_id": day.station.id,
            "plan_date": day.plan_date.isoformat(),
            "time_limit": 1,
        },
        created_by=day.supervisor.id,
    )
    session.add(job)
    session.flush()
    outcome = run_plan_job(app.extensions["db_sessionmaker"], job.id, settings)
    session.expire_all()
    return outcome, session.get(Job, job.id)


def test_a_plan_job_times_its_routes_on_the_road_network(app, session, day_with_roads):
    """With a network near the station, ``auto`` plans on road times: each route's travel
    is the routed time of its legs (depot, stops, depot), longer than great-circle."""
    day = day_with_roads
    outcome, job = _plan(app, session, day, replace(FAST, travel="auto"))
    assert outcome == "done", job.error
    plan = session.get(Plan, job.result["plan_id"])
    assert str(plan.summary["travel"]).startswith("pgrouting:")
    roads = station_travel(session, day.station.id, "auto")
    depot = _lonlat(day.station.depot)
    routed = [r for r in plan.routes if r.stops]
    assert routed
    for route in routed:
        points = [
            depot,
            *(_lonlat(session.get(Account, s.account_id).location) for s in route.stops),
            depot,
        ]
        road = roads.matrix(points, TravelMode.MOTORBIKE).seconds
        gc = GreatCircleProvider().matrix(points, TravelMode.MOTORBIKE).seconds
        legs = range(len(points) - 1)
        assert route.travel_seconds == sum(int(road[k, k + 1]) for k in legs)
        assert route.travel_seconds > sum(int(gc[k, k + 1]) for k in legs)


def test_without_a_network_auto_falls_back_and_roads_fails_the_job_once(app, session, factory):
    """``auto`` plans on great-circle times; ``roads`` fails the job for good with a clear
    reason (retrying cannot import a network)."""
    day = build_day(factory, per_side=2)
    outcome, job = _plan(app, session, day, replace(FAST, travel="auto"))
    assert outcome == "done"
    assert session.get(Plan, job.result["plan_id"]).summary["travel"] == GreatCircleProvider().key

    outcome, job = _plan(app, session, day, replace(FAST, travel="roads"))
    assert outcome == "conflict"
    assert job.status is JobStatus.FAILED and job.attempts == 1
    assert "road network" in job.error and "docs/road_network.md" in job.error


def test_a_network_far_from_the_station_does_not_count(connection, session, factory):
    """Coverage is per station: a network 50 km away is ignored by ``auto``, refused by
    ``roads``; unknown settings are refused."""
    _build_roads(connection, [(110.80, 34.50), (110.81, 34.51)])
    near = (110.30, 34.14)
    assert isinstance(choose_provider(session, "auto", near), GreatCircleProvider)
    with pytest.raises(NoRoadNetwork):
        choose_provider(session, "roads", near)
    with pytest.raises(ValueError, match="travel setting"):
        choose_provider(session, "osrm", near)
    assert choose_provider(session, "auto", (110.805, 34.505)).key.startswith("pgrouting:")
    other = RoadNetwork(schema="nowhere")
    assert isinstance(choose_provider(session, "auto", near, network=other), GreatCircleProvider)


def _lonlat(geom) -> tuple[float, float]:
    p = to_shape(geom)
    return (float(p.x), float(p.y))
