"""Vector tiles: scoped layers, clusters at low zoom, ETag/304 and invalidation, TileJSON."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import Outcome, Role
from tests.api.tiles.world import CENTRE, build_map, features, publish_plan, tile_of, url, visit
from tests.support.plans import local_today


def _ids(resp, layer="accounts"):
    assert resp.status_code == 200, resp.data[:300]
    assert resp.mimetype == "application/vnd.mapbox-vector-tile"
    return {f["properties"]["id"] for f in features(resp.data, layer)}


def test_supervisor_tile_holds_their_station_accounts_only(factory, client):
    """A supervisor's account tile has their station's accounts, not the other station's."""
    w = build_map(factory)
    got = _ids(client.get(url("accounts"), headers=factory.token(w.supervisor, client)))
    assert got == {w.accounts[k].id for k in ("a1", "a2", "a3")}
    other = _ids(client.get(url("accounts"), headers=factory.token(w.other_supervisor, client)))
    assert other == {w.accounts["b1"].id}


def test_tiles_of_one_zoom_each_answer_their_own_accounts(factory, client):
    """Tiles of one zoom share one built statement: each still answers its own place."""
    w = build_map(factory)
    headers = factory.token(w.supervisor, client)
    z, x, y = tile_of(*CENTRE, 15)
    here = f"/api/tiles/accounts/{z}/{x}/{y}.mvt"
    beside = f"/api/tiles/accounts/{z}/{x + 2}/{y}.mvt"
    assert _ids(client.get(here, headers=headers)) == {w.accounts[k].id for k in ("a1", "a2", "a3")}
    assert _ids(client.get(beside, headers=headers)) == set()
    assert client.get(here, headers=headers).data == client.get(here, headers=headers).data
    assert len(_ids(client.get(here, headers=headers))) == 3


def test_collector_tile_holds_only_their_accounts(factory, client):
    """A collector's tile holds only the accounts they are responsible for."""
    w = build_map(factory)
    got = _ids(client.get(url("accounts"), headers=factory.token(w.col, client)))
    assert got == {w.accounts["a1"].id, w.accounts["a2"].id}


def test_account_features_carry_arrears_in_fen_stage_and_collector(factory, client):
    """An account feature carries its arrears in fen, its stage and its responsible collector."""
    w = build_map(factory)
    resp = client.get(url("accounts", 15), headers=factory.token(w.supervisor, client))
    props = {f["properties"]["id"]: f["properties"] for f in features(resp.data, "accounts")}
    a1 = props[w.accounts["a1"].id]
    assert a1["arrears_fen"] == 12050
    assert a1["stage"] == "visit" and a1["days_overdue"] == 40
    assert a1["responsible_id"] == w.col.id and a1["responsible"] == w.col.display_name
    assert a1["cluster"] is False
    assert props[w.accounts["a2"].id]["arrears_fen"] == 0


def test_low_zoom_answers_clusters_with_counts_and_sums(factory, client):
    """Below the detail zoom, accounts come as clusters with their count and summed arrears."""
    w = build_map(factory)
    resp = client.get(url("accounts", 10), headers=factory.token(w.supervisor, client))
    clusters = [f["properties"] for f in features(resp.data, "accounts")]
    assert clusters and all(c["cluster"] is True for c in clusters)
    assert sum(c["count"] for c in clusters) == 3
    assert sum(c["owing"] for c in clusters) == 1
    assert sum(c["arrears_fen"] for c in clusters) == 12050
    assert all("id" not in c for c in clusters)


def test_unchanged_tile_answers_304_and_a_payment_changes_its_etag(factory, client, session):
    """Revalidating an unchanged tile gives 304; a new bill in the station gives a new tile."""
    w = build_map(factory)
    headers = factory.token(w.supervisor, client)
    first = client.get(url("accounts", 15), headers=headers)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get(url("accounts", 15), headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    factory.bill(w.accounts["a2"], local_today().replace(day=1), "10.00", local_today())
    changed = client.get(url("accounts", 15), headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_other_station_write_keeps_the_etag(factory, client):
    """A write in another station does not invalidate a supervisor's tiles."""
    w = build_map(factory)
    headers = factory.token(w.supervisor, client)
    etag = client.get(url("accounts", 15), headers=headers).headers["ETag"]
    factory.bill(w.accounts["b1"], local_today().replace(day=1), "10.00", local_today())
    again = client.get(url("accounts", 15), headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304


def test_territory_tile_names_its_collectors(factory, client):
    """A territory feature carries its name and its collectors."""
    w = build_map(factory)
    resp = client.get(url("territories", 13), headers=factory.token(w.supervisor, client))
    (terr,) = features(resp.data, "territories")
    assert terr["properties"]["name"] == "中片"
    assert set(terr["properties"]["collector_ids"].split(",")) == {str(w.col.id), str(w.col2.id)}
    none = client.get(url("territories", 13), headers=factory.token(w.other_supervisor, client))
    assert features(none.data, "territories") == []


def test_village_tile_counts_accounts_and_arrears(factory, client):
    """A village point counts its accounts, those owing and their arrears."""
    w = build_map(factory)
    resp = client.get(url("villages", 13), headers=factory.token(w.supervisor, client))
    villages = {f["properties"]["name"]: f["properties"] for f in features(resp.data, "villages")}
    assert set(villages) == {"上河村", "下河村"}
    assert villages["上河村"]["accounts"] == 2 and villages["上河村"]["owing"] == 1
    assert villages["上河村"]["arrears_fen"] == 12050


def test_route_and_stop_tiles_show_the_published_plan_with_progress(factory, client, session):
    """Today's route has its stops and progress; a visited stop carries its outcome."""
    w = build_map(factory)
    publish_plan(session, w)
    visit(session, w, "a1", Outcome.NOBODY_HOME, CENTRE)
    headers = factory.token(w.supervisor, client)
    (route,) = features(client.get(url("routes", 14), headers=headers).data, "routes")
    assert route["properties"]["collector_id"] == w.col.id
    assert route["properties"]["stops"] == 2 and route["properties"]["visited"] == 1
    assert route["properties"]["progress"] == 0.5
    assert route["properties"]["geometry"] == "straight"
    assert route["geometry"]["type"] == "LineString"
    stops = features(client.get(url("stops", 15), headers=headers).data, "stops")
    outcome = {s["properties"]["account_id"]: s["properties"].get("outcome") for s in stops}
    assert outcome == {w.accounts["a1"].id: "nobody_home", w.accounts["a2"].id: None}


def test_route_tile_of_another_day_or_station_is_empty(factory, client, session):
    """Another day's tile and another station's supervisor see no route."""
    w = build_map(factory)
    publish_plan(session, w)
    headers = factory.token(w.supervisor, client)
    tomorrow = (local_today() + dt.timedelta(days=1)).isoformat()
    resp = client.get(url("routes", 14, query=f"date={tomorrow}"), headers=headers)
    assert features(resp.data, "routes") == []
    other = client.get(url("routes", 14), headers=factory.token(w.other_supervisor, client))
    assert features(other.data, "routes") == []


def test_station_id_limits_every_layer_to_that_station(factory, client, session):
    """``?station_id=`` shows one station: an admin (who sees the county) gets that
    station's routes, stops, positions and accounts only; staff may name only their own
    station (another is 422 'No such station', like a missing one)."""
    w = build_map(factory)
    publish_plan(session, w)
    visit(session, w, "a1", Outcome.NOBODY_HOME, CENTRE)
    admin = factory.token(factory.user(Role.ADMIN), client)
    here, there = f"station_id={w.station.id}", f"station_id={w.other.id}"

    def got(layer, z, query, headers=admin):
        resp = client.get(url(layer, z, query=query), headers=headers)
        assert resp.status_code == 200, resp.data[:300]
        return features(resp.data, layer)

    assert len(got("routes", 14, "")) == 1  # the county: station A's route
    assert len(got("routes", 14, here)) == 1
    assert got("routes", 14, there) == []
    assert len(got("stops", 15, here)) == 2 and got("stops", 15, there) == []
    assert len(got("positions", 14, here)) == 1 and got("positions", 14, there) == []
    accounts = {f["properties"]["id"] for f in got("accounts", 15, there)}
    assert accounts == {w.accounts["b1"].id}
    staff = factory.token(w.supervisor, client)
    assert len(got("routes", 14, here, staff)) == 1
    refused = client.get(url("routes", 14, query=there), headers=staff)
    assert refused.status_code == 422
    assert refused.json["errors"]["query"]["station_id"] == ["No such station."]
    missing = client.get(url("routes", 14, query="station_id=999999999"), headers=admin)
    assert missing.status_code == 422
    doc = client.get(f"/api/tiles/routes.json?{there}", headers=admin).json
    assert doc["tiles"][0].endswith(f"?{there}")


def test_position_tile_shows_the_last_fix_of_the_day(factory, client, session):
    """A collector's last GNSS fix of the day is their position."""
    w = build_map(factory)
    visit(session, w, "a1", Outcome.NOBODY_HOME, (CENTRE[0] + 0.001, CENTRE[1]))
    resp = client.get(url("positions", 14), headers=factory.token(w.supervisor, client))
    (pos,) = features(resp.data, "positions")
    assert pos["properties"]["collector_id"] == w.col.id
    assert pos["properties"]["outcome"] == "nobody_home"
    other = client.get(url("positions", 14), headers=factory.token(w.other_supervisor, client))
    assert features(other.data, "positions") == []


def test_tilejson_names_the_tile_url_fields_and_bounds(factory, client):
    """The TileJSON gives the tile URL template with the query, the fields and the bounds."""
    w = build_map(factory)
    day = local_today().isoformat()
    resp = client.get(f"/api/tiles/accounts.json?date={day}", headers=factory.token(w.col, client))
    assert resp.status_code == 200, resp.json
    doc = resp.json
    assert doc["tilejson"] == "3.0.0"
    assert doc["tiles"] == [f"http://localhost/api/tiles/accounts/{{z}}/{{x}}/{{y}}.mvt?date={day}"]
    assert "arrears_fen" in doc["vector_layers"][0]["fields"]
    west, south, east, north = doc["bounds"]
    assert west <= CENTRE[0] <= east and south <= CENTRE[1] <= north


def test_bad_tile_requests_answer_problems(factory, client):
    """Unknown layer 404, a tile outside the pyramid 422, an unknown parameter 422."""
    w = build_map(factory)
    headers = factory.token(w.supervisor, client)
    missing = client.get("/api/tiles/nope/1/0/0.mvt", headers=headers)
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    outside = client.get("/api/tiles/accounts/2/4/0.mvt", headers=headers)
    assert outside.status_code == 422 and outside.mimetype == "application/problem+json"
    unknown = client.get(url("accounts", query="colour=red"), headers=headers)
    assert unknown.status_code == 422
    assert client.get(url("accounts")).status_code == 401


def test_no_money_as_float(factory, client):
    """Amounts in tiles are integer fen, never floats."""
    w = build_map(factory)
    resp = client.get(url("accounts", 15), headers=factory.token(w.supervisor, client))
    for f in features(resp.data, "accounts"):
        assert isinstance(f["properties"]["arrears_fen"], int)


@pytest.mark.as_owner  # the road network is the owner's to import
def test_road_tile_draws_the_network_and_a_new_import_changes_its_etag(factory, client, session):
    """The roads layer draws the imported network; re-importing it gives a new ETag."""
    from demo.roads import generate_roads

    w = build_map(factory)
    headers = factory.token(w.supervisor, client)
    assert features(client.get(url("roads", 14), headers=headers).data, "roads") == []
    generate_roads(session, station_ids=[w.station.id])
    first = client.get(url("roads", 14), headers=headers)
    roads = features(first.data, "roads")
    assert roads and {r["properties"]["tag_id"] for r in roads} <= {108, 109, 113}
    generate_roads(session, station_ids=[w.station.id])
    again = client.get(
        url("roads", 14), headers={**headers, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 200
