"""Workload per collector and the balanced-territory proposal."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from core.models import Role
from geo.balance import Site, balance
from geo.coords import haversine_m
from geo.workload import VisitModel, arrears_weights, footprint, visit_hours


def test_visit_hours_grow_with_visits_and_area():
    """More visits and a larger area both cost more hours; nothing to visit costs nothing."""
    assert visit_hours(0, 0, 100) == 0
    assert visit_hours(10, 10, 100) > visit_hours(10, 10, 10) > visit_hours(5, 5, 10)
    with pytest.raises(ValueError):
        VisitModel(speed_kmh=0)


def test_arrears_weights_favour_large_debts_and_ignore_paid_accounts():
    """Weights are 0 for paid accounts, 1 at the mean debt, and capped."""
    assert arrears_weights([0, 100, 100]) == [0.0, 1.0, 1.0]
    assert arrears_weights([100] * 20 + [100000])[-1] == 3.0


def test_footprint_of_a_square_is_its_area_and_diagonal():
    """The convex hull of a ~11 km square has ~120 km² and a ~15 km diagonal."""
    fp = footprint([(110.0, 34.0), (110.12, 34.0), (110.12, 34.1), (110.0, 34.1), (110.05, 34.05)])
    assert 110 < fp.area_km2 < 125 and 14 < fp.spread_km < 16
    # The spread is the great-circle diagonal, to the metre; a line and a point too.
    assert round(fp.spread_km * 1000) == round(haversine_m((110.0, 34.0), (110.12, 34.1)))
    line = footprint([(110.0, 34.0), (110.0, 34.2), (110.0, 34.1)])
    assert line.area_km2 == 0 and round(line.spread_km * 1000) == round(
        haversine_m((110.0, 34.0), (110.0, 34.2))
    )
    assert footprint([(110.0, 34.0), (110.0, 34.0)]) == footprint([])


def test_balance_tiles_the_box_with_k_rectangles_of_similar_hours():
    """K rectangles partition the sites, tile the box without overlap and keep hours within 25%."""
    rng = random.Random(3)
    sites = [
        Site(
            i, 110 + rng.random() * 0.4 * rng.random(), 34 + rng.random() * 0.3, rng.uniform(0.5, 2)
        )
        for i in range(2000)
    ]
    parts = balance(sites, 5)
    assert len(parts) == 5
    assert sorted(i for p in parts for i in p.account_ids) == list(range(2000))
    hours = [p.hours for p in parts]
    assert max(hours) / min(hours) < 1.25
    total = sum((p.bounds[2] - p.bounds[0]) * (p.bounds[3] - p.bounds[1]) for p in parts)
    xs = [b for p in parts for b in (p.bounds[0], p.bounds[2])]
    ys = [b for p in parts for b in (p.bounds[1], p.bounds[3])]
    assert total == pytest.approx((max(xs) - min(xs)) * (max(ys) - min(ys)))


def test_workload_endpoint_sums_per_collector_and_hides_other_stations(factory, client):
    """Per-collector accounts and arrears; another station's supervisor gets 422 on station_id."""
    st = factory.station()
    sup = factory.user(Role.SUPERVISOR, st)
    a, b = factory.user(Role.COLLECTOR, st), factory.user(Role.COLLECTOR, st)
    for i in range(3):
        acc = factory.account(st, a, lonlat=(110.30 + i * 0.01, 34.14))
        factory.bill(acc, dt.date(2026, 1, 1), "100.00", dt.date(2026, 2, 10))
    factory.account(st, b)
    resp = client.get(f"/api/workload?station_id={st.id}", headers=factory.token(sup, client))
    assert resp.status_code == 200, resp.json
    rows = {r["collector_id"]: r for r in resp.json}
    assert (rows[a.id]["accounts"], rows[a.id]["delinquent"], rows[a.id]["arrears"]) == (
        3,
        3,
        "300.00",
    )
    assert rows[a.id]["visit_hours"] > 0 and rows[a.id]["spread_km"] > 1.5
    assert (rows[b.id]["delinquent"], rows[b.id]["visit_hours"]) == (0, 0)
    outsider = factory.user(Role.SUPERVISOR, factory.station())
    assert (
        client.get(
            f"/api/workload?station_id={st.id}", headers=factory.token(outsider, client)
        ).status_code
        == 422
    )


def test_balance_endpoint_returns_geojson_polygons(factory, client):
    """The balance suggestion is a FeatureCollection of K closed polygons; collectors get 403."""
    st = factory.station()
    sup, col = factory.user(Role.SUPERVISOR, st), factory.user(Role.COLLECTOR, st)
    for i in range(8):
        acc = factory.account(st, col, lonlat=(110.2 + i * 0.02, 34.1 + (i % 3) * 0.02))
        factory.bill(acc, dt.date(2026, 1, 1), f"{50 + i}.00", dt.date(2026, 2, 10))
    resp = client.get(
        f"/api/workload/balance.geojson?station_id={st.id}&k=3", headers=factory.token(sup, client)
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["type"] == "FeatureCollection" and len(resp.json["features"]) == 3
    ring = resp.json["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1]
    assert (
        client.get(
            f"/api/workload/balance.geojson?station_id={st.id}&k=3",
            headers=factory.token(col, client),
        ).status_code
        == 403
    )
    assert (
        client.get(
            f"/api/workload/balance.geojson?station_id={st.id}&k=0",
            headers=factory.token(sup, client),
        ).status_code
        == 422
    )


def test_workload_summed_in_the_database_equals_the_per_account_reading(factory, session):
    """Per collector, delinquent count, arrears, weighted visit hours and spread summed in
    SQL equal the same figures computed from the accounts one by one (arrears_weights over
    the station, footprint of each collector's accounts), with a point and a line among
    the footprints."""
    from decimal import Decimal

    from core.accounts.workload import _rows, workloads
    from core.scope import Scope

    st = factory.station()
    sup = factory.user(Role.SUPERVISOR, st)
    spread, lone, line = (factory.user(Role.COLLECTOR, st) for _ in range(3))
    places = {
        spread: [(110.30, 34.14), (110.36, 34.15), (110.33, 34.20), (110.31, 34.18)],
        lone: [(110.40, 34.10)],
        line: [(110.20, 34.10), (110.20, 34.16), (110.20, 34.13)],
    }
    amounts = iter(["35.10", "410.00", "88.88", "1200.00", "12.34", "99.00", "650.50", "3.00"])
    for collector, points in places.items():
        for lonlat in points:
            acc = factory.account(st, collector, lonlat=lonlat)
            factory.bill(acc, dt.date(2026, 1, 1), next(amounts), dt.date(2026, 2, 10))
    factory.account(st, lone)  # owes nothing
    scope = Scope(sup.id, Role.SUPERVISOR, frozenset({st.id}))
    as_of = dt.date(2026, 3, 1)
    rows = _rows(session, scope, st.id, as_of)
    weights = dict(
        zip(
            [r.account_id for r in rows],
            arrears_weights([float(r.arrears) for r in rows]),
            strict=True,
        )
    )
    got = {w.collector_id: w for w in workloads(session, scope, st.id, as_of)}
    for collector in places:
        mine = [r for r in rows if r.responsible_id == collector.id]
        shape = footprint([(r.lon, r.lat) for r in mine])
        w = got[collector.id]
        assert (w.delinquent, w.arrears) == (len(mine), sum((r.arrears for r in mine), Decimal(0)))
        hours = visit_hours(sum(weights[r.account_id] for r in mine), len(mine), shape.area_km2)
        assert (w.visit_hours, w.spread_km) == (round(hours, 2), round(shape.spread_km, 2))
    assert got[spread.id].visit_hours > 0 and got[line.id].spread_km > 6
    assert (got[lone.id].accounts, got[lone.id].delinquent, got[lone.id].spread_km) == (2, 1, 0)
