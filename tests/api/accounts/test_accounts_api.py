"""Accounts API: create with declared coordinates, refuse bad input, filter, GeoJSON, PATCH."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import Role
from geo.coords import haversine_m, wgs84_to_bd09, wgs84_to_gcj02

BASE = (110.30, 34.14)


def _body(**kw):
    body = {
        "number": kw.pop("number", "A0000001"),
        "name": "王五",
        "address": "景村镇王家庄12号",
        "village": "王家庄",
        "category": "residential",
        "location": kw.pop("location", {"lon": BASE[0], "lat": BASE[1], "system": "wgs84"}),
    }
    return body | kw


@pytest.fixture
def station_team(factory, client):
    st = factory.station()
    sup = factory.user(Role.SUPERVISOR, st)
    col = factory.user(Role.COLLECTOR, st)
    return st, sup, col, factory.token(sup, client)


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_create_stores_wgs84_from_a_declared_chinese_system(station_team, client, system):
    """A point sent in GCJ-02 or BD-09 is stored as WGS-84 within a metre."""
    _, _, _, headers = station_team
    forward = wgs84_to_gcj02 if system == "gcj02" else wgs84_to_bd09
    lon, lat = forward(110.32, 34.15)
    resp = client.post(
        "/api/accounts",
        json=_body(location={"lon": lon, "lat": lat, "system": system}),
        headers=headers,
    )
    assert resp.status_code == 201, resp.json
    loc = resp.json["location"]
    assert haversine_m((loc["lon"], loc["lat"]), (110.32, 34.15)) < 1.0


def test_create_assigns_territory_and_opens_responsibility(station_team, factory, client):
    """A new account gets the covering territory and a responsibility row from today."""
    st, _, col, headers = station_team
    terr = factory.territory(
        st, "MULTIPOLYGON(((110.2 34.0,110.4 34.0,110.4 34.3,110.2 34.3,110.2 34.0)))"
    )
    resp = client.post("/api/accounts", json=_body(responsible_id=col.id), headers=headers)
    assert resp.status_code == 201, resp.json
    assert resp.json["territory_id"] == terr.id and resp.json["responsible_id"] == col.id
    hist = client.get(f"/api/accounts/{resp.json['id']}/responsibility", headers=headers).json
    assert [h["collector_id"] for h in hist] == [col.id] and hist[0]["valid_to"] is None


@pytest.mark.parametrize(
    ("location", "fragment"),
    [
        ({"lon": 0, "lat": 0, "system": "wgs84"}, "(0, 0)"),
        ({"lon": BASE[1], "lat": BASE[0], "system": "wgs84"}, "Latitude must be within"),
        ({"lon": 34.14, "lat": 80.0, "system": "wgs84"}, "outside its service area"),
        ({"lon": 116.4, "lat": 39.9, "system": "wgs84"}, "outside its service area"),
        ({"lon": 181, "lat": 34, "system": "wgs84"}, "Longitude must be within"),
        ({"lon": "NaN", "lat": 34, "system": "wgs84"}, None),
        ({"lon": True, "lat": 34, "system": "wgs84"}, None),
        ({"lon": BASE[0], "lat": BASE[1]}, None),
        ({"lon": BASE[0], "lat": BASE[1], "system": "utm"}, None),
    ],
)
def test_bad_coordinates_are_refused_with_a_field_error(station_team, client, location, fragment):
    """Out-of-range, non-finite, undeclared, (0,0) and far-away points answer 422 on location."""
    _, _, _, headers = station_team
    resp = client.post("/api/accounts", json=_body(location=location), headers=headers)
    assert resp.status_code == 422, resp.json
    assert resp.content_type == "application/problem+json"
    assert "location" in resp.json["errors"]["json"]
    if fragment:
        assert fragment in str(resp.json["errors"]["json"]["location"])


def test_swapped_latitude_and_longitude_are_named_as_such(factory, client):
    """A swapped pair that is still in range is refused as 'swapped'."""
    st = factory.station(depot=(30.0, 31.0))  # where swapped values are both valid
    headers = factory.token(factory.user(Role.SUPERVISOR, st), client)
    resp = client.post(
        "/api/accounts",
        json=_body(location={"lon": 31.0, "lat": 30.0, "system": "wgs84"}),
        headers=headers,
    )
    assert resp.status_code == 422 and "swapped" in str(resp.json["errors"])


def test_unknown_fields_control_characters_and_duplicates_are_refused(station_team, client):
    """Unknown fields, NUL bytes and a reused account number answer 422, never 500."""
    _, _, _, headers = station_team
    assert client.post("/api/accounts", json=_body(id=5), headers=headers).status_code == 422
    assert (
        client.post("/api/accounts", json=_body(name="a\x00b"), headers=headers).status_code == 422
    )
    assert client.post("/api/accounts", json=_body(), headers=headers).status_code == 201
    dup = client.post("/api/accounts", json=_body(), headers=headers)
    assert dup.status_code == 422 and "number" in dup.json["errors"]["json"]


def test_collectors_cannot_create_and_other_stations_are_not_found(station_team, factory, client):
    """A collector gets 403 on create; a supervisor cannot create in another station."""
    st, _, col, headers = station_team
    assert (
        client.post("/api/accounts", json=_body(), headers=factory.token(col, client)).status_code
        == 403
    )
    other = factory.station()
    resp = client.post("/api/accounts", json=_body(station_id=other.id), headers=headers)
    assert resp.status_code == 422 and "station_id" in resp.json["errors"]["json"]


def test_patch_needs_the_etag_and_moves_the_territory(station_team, factory, client):
    """PATCH needs If-Match (428, stale 412); moving the point recomputes the territory."""
    st, _, _, headers = station_team
    west = factory.territory(
        st, "MULTIPOLYGON(((110.0 34.0,110.3 34.0,110.3 34.3,110.0 34.3,110.0 34.0)))"
    )
    east = factory.territory(
        st, "MULTIPOLYGON(((110.3 34.0,110.6 34.0,110.6 34.3,110.3 34.3,110.3 34.0)))"
    )
    acc = factory.account(st, lonlat=(110.25, 34.15), territory_id=west.id)
    url = f"/api/accounts/{acc.id}"
    etag = client.get(url, headers=headers).headers["ETag"]
    move = {"location": {"lon": 110.45, "lat": 34.15, "system": "wgs84"}}
    assert client.patch(url, json=move, headers=headers).status_code == 428
    assert (
        client.patch(url, json=move, headers=headers | {"If-Match": '"stale"'}).status_code == 412
    )
    resp = client.patch(url, json=move, headers=headers | {"If-Match": etag})
    assert resp.status_code == 200, resp.json
    assert resp.json["territory_id"] == east.id


def test_list_filters_combine(station_team, factory, client):
    """Village, responsible, text, bbox, distance and arrears filters select the right rows."""
    st, _, col, headers = station_team
    a = factory.account(st, col, lonlat=(110.30, 34.14), village="东村", name="李_四")
    b = factory.account(st, None, lonlat=(110.50, 34.30), village="西村", name="李%五")
    factory.bill(a, dt.date(2026, 1, 1), "120.00", dt.date(2026, 2, 10))

    def ids(query):
        resp = client.get(f"/api/accounts?{query}", headers=headers)
        assert resp.status_code == 200, resp.json
        return {x["id"] for x in resp.json} & {a.id, b.id}

    assert ids("village=东村") == {a.id}
    assert ids(f"responsible_id={col.id}") == {a.id}
    assert ids("q=李_") == {a.id}
    assert ids("q=%25") == {b.id}
    assert ids("bbox=110.4,34.2,110.6,34.4") == {b.id}
    assert ids("near_lon=110.30&near_lat=34.14&radius_m=1000") == {a.id}
    assert ids("arrears_min=100.00") == {a.id}
    assert ids("arrears_max=0") == {b.id}
    assert ids("overdue_days_min=30&as_of=2026-03-20") == {a.id}
    assert ids("overdue_days_min=60&as_of=2026-03-20") == set()
    row = next(x for x in client.get("/api/accounts?village=东村", headers=headers).json)
    assert row["arrears"] == "120.00"


@pytest.mark.parametrize(
    "query",
    [
        "bbox=1,2,3",
        "bbox=10,10,5,5",
        "bbox=a,b,c,d",
        "radius_m=100",
        "near_lon=200&near_lat=1&radius_m=5",
        "limit=100000",
        "arrears_min=1.234",
        "q=%00",
    ],
)
def test_bad_list_parameters_answer_422(station_team, client, query):
    """Malformed bbox, partial distance filters, page caps and bad amounts answer 422."""
    _, _, _, headers = station_team
    resp = client.get(f"/api/accounts?{query}", headers=headers)
    assert resp.status_code == 422, (query, resp.status_code)
    assert resp.content_type == "application/problem+json"


def test_geojson_list_is_rfc7946_lon_lat(station_team, factory, client):
    """The GeoJSON list is a FeatureCollection of Points in [lon, lat] order."""
    st, _, _, headers = station_team
    acc = factory.account(st, lonlat=(110.31, 34.12))
    resp = client.get(f"/api/accounts.geojson?station_id={st.id}", headers=headers)
    assert resp.status_code == 200 and resp.json["type"] == "FeatureCollection"
    feature = next(f for f in resp.json["features"] if f["id"] == acc.id)
    assert feature["geometry"] == {"type": "Point", "coordinates": [110.31, 34.12]}


def test_keyset_pages_walk_every_account_once(station_team, factory, client):
    """Following X-Next-Cursor visits every account exactly once."""
    st, _, _, headers = station_team
    made = {factory.account(st).id for _ in range(5)}
    seen, after = [], None
    while True:
        q = f"station_id={st.id}&limit=2" + (f"&after={after}" if after else "")
        resp = client.get(f"/api/accounts?{q}", headers=headers)
        seen += [x["id"] for x in resp.json]
        after = resp.headers.get("X-Next-Cursor")
        if not after:
            break
    assert sorted(seen) == sorted(made)


def test_outside_scope_reads_and_patches_are_404(station_team, factory, client):
    """Other stations' supervisors and other collectors get 404 on read, patch and history."""
    st, _, col, _ = station_team
    acc = factory.account(st, col)
    other_sup = factory.user(Role.SUPERVISOR, factory.station())
    other_col = factory.user(Role.COLLECTOR, st)
    for user in (other_sup, other_col):
        h = factory.token(user, client)
        for url in (f"/api/accounts/{acc.id}", f"/api/accounts/{acc.id}/responsibility"):
            assert client.get(url, headers=h).status_code == 404
        resp = client.patch(
            f"/api/accounts/{acc.id}", json={"name": "x"}, headers=h | {"If-Match": '"x"'}
        )
        assert resp.status_code == 404


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        ("get", "/api/accounts/99999999999999999999", None, 404),
        ("get", "/api/accounts/99999999999999999999/responsibility", None, 404),
        ("get", "/api/territories/99999999999999999999", None, 404),
        ("get", "/api/accounts?station_id=99999999999999999999", None, 422),
        ("get", "/api/accounts?after=99999999999999999999", None, 422),
        ("get", "/api/accounts?after=2147483648", None, 422),
        ("get", "/api/accounts?villag=typo", None, 422),
        ("get", "/api/responsibility?on=2026-01-01&collector_id=99999999999999999999", None, 422),
        ("post", "/api/responsibility/reassign", {"collector_id": 2**40, "account_ids": [1]}, 422),
        ("post", "/api/accounts", [1, 2], 422),
    ],
)
def test_huge_ids_and_unknown_parameters_never_reach_the_database(
    station_team, client, method, url, body, status
):
    """Ids beyond PostgreSQL integer and misspelt query parameters answer 404/422, never 500."""
    *_, headers = station_team
    resp = getattr(client, method)(url, json=body, headers=headers)
    assert resp.status_code == status, resp.json
    assert resp.content_type == "application/problem+json"


def test_collectors_list_only_their_own_accounts(station_team, factory, client):
    """A collector's list, GeoJSON and orphan list hold only accounts they are responsible for."""
    st, _, col, _ = station_team
    mine = factory.account(st, col)
    other = factory.account(st, factory.user(Role.COLLECTOR, st))
    headers = factory.token(col, client)
    for url in ("/api/accounts", "/api/accounts/outside-territories"):
        assert {a["id"] for a in client.get(url, headers=headers).json} == {mine.id}
    features = client.get("/api/accounts.geojson", headers=headers).json["features"]
    assert {f["id"] for f in features} == {mine.id} and other.id != mine.id


def test_distance_and_bbox_filters_accept_a_declared_system(station_team, factory, client):
    """A GCJ-02 search point finds the account within 50 m; read as WGS-84 it is ~500 m off."""
    st, _, _, headers = station_team
    acc = factory.account(st, lonlat=(110.30, 34.14))
    glon, glat = wgs84_to_gcj02(110.30, 34.14)
    near = f"near_lon={glon}&near_lat={glat}&radius_m=50&station_id={st.id}"
    assert [
        a["id"] for a in client.get(f"/api/accounts?{near}&system=gcj02", headers=headers).json
    ] == [acc.id]
    assert client.get(f"/api/accounts?{near}", headers=headers).json == []


def test_patch_responsible_goes_through_the_history(station_team, factory, client):
    """PATCHing responsible_id closes the old history row; a stranger collector is refused."""
    st, _, col, headers = station_team
    acc = factory.account(st, col)
    newcomer = factory.user(Role.COLLECTOR, st)
    stranger = factory.user(Role.COLLECTOR, factory.station())
    url = f"/api/accounts/{acc.id}"
    etag = client.get(url, headers=headers).headers["ETag"]
    bad = client.patch(
        url, json={"responsible_id": stranger.id}, headers=headers | {"If-Match": etag}
    )
    assert bad.status_code == 422 and "responsible_id" in bad.json["errors"]["json"]
    resp = client.patch(
        url, json={"responsible_id": newcomer.id}, headers=headers | {"If-Match": etag}
    )
    assert resp.status_code == 200 and resp.json["responsible_id"] == newcomer.id
    history = client.get(f"{url}/responsibility", headers=headers).json
    assert [h["collector_id"] for h in history] == [col.id, newcomer.id]
    assert history[0]["valid_to"] == history[1]["valid_from"]


def _walk(client, headers, query):
    """Every page of a list, following the Link rel=next header."""
    rows, url = [], f"/api/accounts?{query}"
    while url:
        resp = client.get(url, headers=headers)
        assert resp.status_code == 200, resp.json
        rows += resp.json
        link = resp.headers.get("Link")
        url = link[link.index("/api/") : link.index(">")] if link else None
    return rows


def test_accounts_sort_by_amount_owed_and_days_overdue_in_keyset_pages(
    station_team, factory, client
):
    """sort=-arrears, -days_overdue and arrears order the list, page by page, each row once,
    and so do the arrears filters."""
    st, _, _, headers = station_team
    owed = {}
    for amount, due in (("50.00", 20), ("300.00", 40), ("120.00", 90), ("120.00", 10)):
        acc = factory.account(st)
        factory.bill(
            acc, dt.date(2026, 1, 1), amount, dt.date(2026, 6, 30) - dt.timedelta(days=due)
        )
        owed[acc.id] = (amount, due)
    none = factory.account(st)
    base = f"station_id={st.id}&as_of=2026-06-30&limit=2"
    rows = _walk(client, headers, base + "&sort=-arrears")
    assert [r["arrears"] for r in rows] == ["300.00", "120.00", "120.00", "50.00", "0.00"]
    assert rows[-1]["id"] == none.id and len({r["id"] for r in rows}) == 5
    rows = _walk(client, headers, base + "&sort=-days_overdue")
    assert [r["days_overdue"] for r in rows] == [90, 40, 20, 10, 0]
    rows = _walk(client, headers, base + "&sort=arrears")
    assert [r["arrears"] for r in rows] == ["0.00", "50.00", "120.00", "120.00", "300.00"]
    # Filters keeping owing accounts only: pages read from account_balance, by id and by
    # amount (owing_page_query), the same rows the full reading gives.
    rows = _walk(client, headers, base + "&arrears_min=100")
    assert [r["id"] for r in rows] == sorted(i for i, (a, _) in owed.items() if a != "50.00")
    rows = _walk(client, headers, base + "&overdue_days_min=15&sort=arrears")
    assert [r["arrears"] for r in rows] == ["50.00", "120.00", "300.00"]
    rows = _walk(client, headers, base + "&overdue_days_min=15&sort=-arrears")
    assert [r["arrears"] for r in rows] == ["300.00", "120.00", "50.00"]


def test_a_near_query_answers_the_distance_nearest_first(station_team, factory, client):
    """near_lon/near_lat/radius_m lists accounts nearest first, each with distance_m."""
    st, _, _, headers = station_team
    far = factory.account(st, lonlat=(110.305, 34.14))
    near = factory.account(st, lonlat=(110.301, 34.14))
    mid = factory.account(st, lonlat=(110.303, 34.14))
    rows = _walk(client, headers, "near_lon=110.30&near_lat=34.14&radius_m=2000&limit=1")
    assert [r["id"] for r in rows] == [near.id, mid.id, far.id]
    distances = [r["distance_m"] for r in rows]
    assert distances == sorted(distances) and 80 < distances[0] < 100


def test_plan_and_reconciliation_lists_default_to_today(station_team, client):
    """Without a date, a station's plans and the reconciliations are today's (200, not 422)."""
    st, _, _, headers = station_team
    assert client.get(f"/api/stations/{st.id}/plans", headers=headers).status_code == 200
    assert client.get("/api/cash/reconciliations", headers=headers).status_code == 200
