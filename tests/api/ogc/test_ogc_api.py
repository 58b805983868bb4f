"""OGC API - Features: landing, conformance, collections, items with bbox/datetime/paging."""

from __future__ import annotations

import datetime as dt

from core.models import Outcome
from tests.api.tiles.world import CENTRE, build_map, publish_plan, visit
from tests.support.plans import local_today

BASE = "/api/ogc"


def test_landing_page_links_definition_conformance_and_data(factory, client):
    """The landing page links the OpenAPI document, the conformance and the collections."""
    w = build_map(factory)
    resp = client.get(BASE, headers=factory.token(w.supervisor, client))
    assert resp.status_code == 200
    rels = {link["rel"]: link["href"] for link in resp.json["links"]}
    assert rels["service-desc"].endswith("/api/openapi.json")
    assert rels["conformance"].endswith("/api/ogc/conformance")
    assert rels["data"].endswith("/api/ogc/collections")
    conf = client.get(f"{BASE}/conformance", headers=factory.token(w.supervisor, client)).json
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conf["conformsTo"]


def test_collections_list_the_five_layers_with_extent(factory, client):
    """Collections: accounts, territories, villages, visits, routes, each with an items link."""
    w = build_map(factory)
    doc = client.get(f"{BASE}/collections", headers=factory.token(w.supervisor, client)).json
    ids = [c["id"] for c in doc["collections"]]
    assert ids == ["accounts", "territories", "villages", "visits", "routes"]
    accounts = doc["collections"][0]
    (box,) = accounts["extent"]["spatial"]["bbox"]
    assert box[0] <= CENTRE[0] <= box[2]
    assert any(link["rel"] == "items" for link in accounts["links"])


def test_items_are_scoped_geojson_with_money_strings(factory, client):
    """A supervisor's account items are their station's, with arrears as a money string."""
    w = build_map(factory)
    resp = client.get(
        f"{BASE}/collections/accounts/items", headers=factory.token(w.supervisor, client)
    )
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    doc = resp.json
    assert doc["numberMatched"] == 3 and doc["numberReturned"] == 3
    by_id = {f["id"]: f for f in doc["features"]}
    assert set(by_id) == {w.accounts[k].id for k in ("a1", "a2", "a3")}
    a1 = by_id[w.accounts["a1"].id]
    assert a1["geometry"]["type"] == "Point"
    assert a1["properties"]["arrears"] == "120.50" and a1["properties"]["stage"] == "visit"
    assert "name" not in a1["properties"] and "phone" not in a1["properties"]


def test_limit_and_offset_page_with_next_links(factory, client):
    """limit=2 gives two features and a next link whose page holds the rest."""
    w = build_map(factory)
    headers = factory.token(w.supervisor, client)
    first = client.get(f"{BASE}/collections/accounts/items?limit=2", headers=headers).json
    assert first["numberReturned"] == 2
    (nxt,) = [link["href"] for link in first["links"] if link["rel"] == "next"]
    second = client.get(nxt.removeprefix("http://localhost"), headers=headers).json
    assert second["numberReturned"] == 1
    assert not [link for link in second["links"] if link["rel"] == "next"]
    seen = {f["id"] for f in first["features"] + second["features"]}
    assert len(seen) == 3


def test_bbox_keeps_only_features_inside(factory, client):
    """bbox keeps the features inside the box."""
    w = build_map(factory)
    lon, lat = CENTRE
    box = f"{lon + 0.0015},{lat - 0.01},{lon + 0.01},{lat + 0.01}"
    doc = client.get(
        f"{BASE}/collections/accounts/items?bbox={box}", headers=factory.token(w.supervisor, client)
    ).json
    assert [f["id"] for f in doc["features"]] == [w.accounts["a2"].id]


def test_datetime_filters_visits_and_routes(factory, client, session):
    """datetime keeps the visits of that time and the routes of that day."""
    w = build_map(factory)
    publish_plan(session, w)
    visit(session, w, "a1", Outcome.NOBODY_HOME, CENTRE)
    headers = factory.token(w.supervisor, client)
    # A date in datetime is a UTC day (api/ogc/schemas.py); the plan's day is the station's.
    today, yesterday = local_today(), dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    visits = client.get(
        f"{BASE}/collections/visits/items?datetime={yesterday}/..", headers=headers
    ).json
    assert visits["numberMatched"] == 1
    assert visits["features"][0]["properties"]["outcome"] == "nobody_home"
    old = client.get(f"{BASE}/collections/visits/items?datetime=../{yesterday}", headers=headers)
    assert old.json["numberMatched"] == 0
    routes = client.get(f"{BASE}/collections/routes/items?datetime={today}", headers=headers).json
    assert [f["properties"]["collector_id"] for f in routes["features"]] == [w.col.id]
    assert routes["features"][0]["geometry"]["type"] == "LineString"
    assert routes["features"][0]["properties"]["line"] == "straight"


def test_item_by_id_is_scoped(factory, client):
    """An item is read by id; another station's item answers 404."""
    w = build_map(factory)
    a1 = w.accounts["a1"].id
    mine = client.get(
        f"{BASE}/collections/accounts/items/{a1}", headers=factory.token(w.supervisor, client)
    )
    assert mine.status_code == 200 and mine.json["id"] == a1
    theirs = client.get(
        f"{BASE}/collections/accounts/items/{a1}",
        headers=factory.token(w.other_supervisor, client),
    )
    assert theirs.status_code == 404 and theirs.mimetype == "application/problem+json"
    village = client.get(
        f"{BASE}/collections/villages/items/{w.station.id}-上河村",
        headers=factory.token(w.supervisor, client),
    )
    assert village.status_code == 200 and village.json["properties"]["accounts"] == 2


def test_bad_parameters_answer_problems(factory, client):
    """A bad bbox, datetime or limit, an unknown parameter: 400 problem+json naming the
    parameter (OGC API - Features /req/core/query-param-invalid); an unknown collection
    404. The rest of the API keeps 422 for invalid input."""
    w = build_map(factory)
    headers = factory.token(w.supervisor, client)
    for query in ("bbox=1,2,3", "datetime=yesterday", "limit=0", "limit=5000", "colour=red"):
        resp = client.get(f"{BASE}/collections/accounts/items?{query}", headers=headers)
        assert resp.status_code == 400, query
        assert resp.mimetype == "application/problem+json"
        assert resp.json["status"] == 400 and resp.json["type"] == "/problems/bad-request"
        assert query.split("=")[0] in resp.json["errors"]["query"], resp.json
    for path in ("", "/conformance", "/collections", "/collections/accounts"):
        resp = client.get(f"{BASE}{path}?colour=red", headers=headers)
        assert resp.status_code == 400 and resp.json["errors"]["query"]["colour"], path
    item = client.get(f"{BASE}/collections/accounts/items/1?date=someday", headers=headers)
    assert item.status_code == 400 and item.json["errors"]["query"]["date"]
    tile = client.get("/api/tiles/accounts/14/0/0.mvt?date=someday", headers=headers)
    assert tile.status_code == 422
    assert client.get(f"{BASE}/collections/nope/items", headers=headers).status_code == 404
    assert client.get(f"{BASE}/collections/accounts/items").status_code == 401
