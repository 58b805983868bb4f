"""Territories API: strict GeoJSON, PostGIS validity reasons, overlaps, recomputation, tokens."""

from __future__ import annotations

import pytest

from core.models import Account, Role, User
from geo.coords import wgs84_to_gcj02

WEST = [[110.0, 34.0], [110.3, 34.0], [110.3, 34.3], [110.0, 34.3], [110.0, 34.0]]
EAST = [[110.3, 34.0], [110.6, 34.0], [110.6, 34.3], [110.3, 34.3], [110.3, 34.0]]


def _poly(ring):
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def team(factory, client):
    st = factory.station()
    sup = factory.user(Role.SUPERVISOR, st)
    col = factory.user(Role.COLLECTOR, st)
    return st, sup, col, factory.token(sup, client)


def test_create_attaches_covered_accounts_and_lists_geojson(team, factory, client):
    """Creating a territory attaches the accounts inside it; the GeoJSON list carries it."""
    st, _, col, headers = team
    inside, outside = (
        factory.account(st, lonlat=(110.1, 34.1)),
        factory.account(st, lonlat=(110.5, 34.1)),
    )
    resp = client.post(
        "/api/territories",
        json={"name": "西片", "area": _poly(WEST), "collector_ids": [col.id]},
        headers=headers,
    )
    assert resp.status_code == 201, resp.json
    tid = resp.json["id"]
    assert resp.json["collector_ids"] == [col.id] and resp.json["area"]["type"] == "MultiPolygon"
    factory.session.expire_all()
    assert factory.session.get(Account, inside.id).territory_id == tid
    assert factory.session.get(Account, outside.id).territory_id is None
    orphans = {
        a["id"]
        for a in client.get(
            f"/api/accounts/outside-territories?station_id={st.id}", headers=headers
        ).json
    }
    assert outside.id in orphans and inside.id not in orphans
    fc = client.get("/api/territories.geojson", headers=headers).json
    assert [f["id"] for f in fc["features"]] == [tid]


def test_redrawing_moves_accounts_in_the_same_request(team, factory, client):
    """PATCHing the polygon recomputes every account's territory before commit."""
    st, _, _, headers = team
    acc = factory.account(st, lonlat=(110.5, 34.1))
    t = client.post("/api/territories", json={"name": "片", "area": _poly(WEST)}, headers=headers)
    url = f"/api/territories/{t.json['id']}"
    etag = client.get(url, headers=headers).headers["ETag"]
    resp = client.patch(url, json={"area": _poly(EAST)}, headers=headers | {"If-Match": etag})
    assert resp.status_code == 200, resp.json
    factory.session.expire_all()
    assert factory.session.get(Account, acc.id).territory_id == t.json["id"]


def test_overlaps_with_other_territories_are_reported(team, client):
    """A polygon sharing area with a sibling territory reports it with the shared area."""
    _, _, _, headers = team
    first = client.post(
        "/api/territories", json={"name": "甲", "area": _poly(WEST)}, headers=headers
    ).json
    shifted = [[x + 0.1, y] for x, y in WEST]
    resp = client.post(
        "/api/territories", json={"name": "乙", "area": _poly(shifted)}, headers=headers
    )
    assert resp.status_code == 201
    (overlap,) = resp.json["overlaps"]
    assert overlap["territory_id"] == first["id"] and overlap["area_m2"] > 1e6
    touching = client.post(
        "/api/territories",
        json={"name": "丙", "area": _poly([[x + 0.6, y] for x, y in WEST])},
        headers=headers,
    )
    assert touching.json["overlaps"] == []


@pytest.mark.parametrize(
    ("area", "fragment"),
    [
        (
            _poly([[110.0, 34.0], [110.2, 34.2], [110.2, 34.0], [110.0, 34.2], [110.0, 34.0]]),
            "Self-intersection",
        ),
        (_poly(WEST[:-1] + [[110.01, 34.0]]), "not closed"),
        (_poly(WEST) | {"crs": {"type": "name", "properties": {"name": "EPSG:4326"}}}, "crs"),
        ({"type": "Point", "coordinates": [110.1, 34.1]}, "Polygon"),
        (_poly([[110.0, 34.0], [110.1, 34.0], [110.0, 34.0]]), "four positions"),
        (_poly([[200.0, 34.0], [110.1, 34.0], [110.1, 34.1], [200.0, 34.0]]), "within"),
        (_poly([[110.0, 34.0], ["x", 34.0], [110.1, 34.1], [110.0, 34.0]]), "numbers"),
        (_poly([[34.0, 110.0], [34.3, 110.0], [34.3, 110.3], [34.0, 110.3], [34.0, 110.0]]), "lat"),
        (_poly([[x + 20, y] for x, y in WEST]), "service area"),
    ],
)
def test_bad_polygons_are_refused_with_the_reason(team, client, area, fragment):
    """Self-intersections (PostGIS reason), open rings, crs, wrong types, far polygons: 422."""
    _, _, _, headers = team
    resp = client.post("/api/territories", json={"name": "坏", "area": area}, headers=headers)
    assert resp.status_code == 422, resp.json
    assert resp.content_type == "application/problem+json"
    assert fragment in str(resp.json["errors"]["json"]["area"])


def test_vertex_cap_is_enforced(team, client):
    """A polygon with more vertices than the cap answers 422 before touching PostGIS."""
    _, _, _, headers = team
    ring = [[110.0 + 0.1 * i / 6000, 34.0] for i in range(6000)] + [[110.05, 34.1], [110.0, 34.0]]
    resp = client.post(
        "/api/territories", json={"name": "大", "area": _poly(ring)}, headers=headers
    )
    assert resp.status_code == 422 and "Too many vertices" in str(resp.json)


def test_gcj02_polygons_are_stored_in_wgs84(team, client):
    """A territory drawn on a GCJ-02 map is converted vertex by vertex."""
    _, _, _, headers = team
    ring = [list(wgs84_to_gcj02(x, y)) for x, y in WEST]
    resp = client.post(
        "/api/territories",
        json={"name": "火星", "area": _poly(ring), "system": "gcj02"},
        headers=headers,
    )
    assert resp.status_code == 201
    stored = resp.json["area"]["coordinates"][0][0]
    assert all(
        abs(a - b) < 1e-7
        for p, q in zip(stored, WEST, strict=True)
        for a, b in zip(p, q, strict=True)
    )


def test_collector_changes_revoke_only_the_changed_collectors_tokens(team, factory, client):
    """Adding or removing a collector bumps their token_version; an unchanged one keeps theirs."""
    st, _, col, headers = team
    other = factory.user(Role.COLLECTOR, st)
    t = client.post(
        "/api/territories",
        json={"name": "片", "area": _poly(WEST), "collector_ids": [col.id]},
        headers=headers,
    ).json
    factory.session.expire_all()
    before = {u: factory.session.get(User, u).token_version for u in (col.id, other.id)}
    url = f"/api/territories/{t['id']}"
    etag = client.get(url, headers=headers).headers["ETag"]
    resp = client.patch(
        url, json={"collector_ids": [col.id, other.id]}, headers=headers | {"If-Match": etag}
    )
    assert resp.status_code == 200, resp.json
    factory.session.expire_all()
    assert factory.session.get(User, col.id).token_version == before[col.id]
    assert factory.session.get(User, other.id).token_version == before[other.id] + 1


def test_collectors_from_another_station_are_refused(team, factory, client):
    """collector_ids naming someone outside the station answer 422."""
    _, _, _, headers = team
    stranger = factory.user(Role.COLLECTOR, factory.station())
    resp = client.post(
        "/api/territories",
        json={"name": "片", "area": _poly(WEST), "collector_ids": [stranger.id]},
        headers=headers,
    )
    assert resp.status_code == 422 and "collector_ids" in resp.json["errors"]["json"]


def test_delete_detaches_accounts(team, factory, client):
    """Deleting a territory leaves its accounts in no territory."""
    st, _, _, headers = team
    acc = factory.account(st, lonlat=(110.1, 34.1))
    t = client.post(
        "/api/territories", json={"name": "片", "area": _poly(WEST)}, headers=headers
    ).json
    url = f"/api/territories/{t['id']}"
    etag = client.get(url, headers=headers).headers["ETag"]
    assert client.delete(url, headers=headers | {"If-Match": etag}).status_code == 204
    factory.session.expire_all()
    assert factory.session.get(Account, acc.id).territory_id is None
    assert client.get(url, headers=headers).status_code == 404


def test_territories_outside_scope_are_404(team, factory, client):
    """Other supervisors and unassigned collectors get 404; assigned collectors may read."""
    st, _, col, headers = team
    t = client.post(
        "/api/territories",
        json={"name": "片", "area": _poly(WEST), "collector_ids": [col.id]},
        headers=headers,
    ).json
    url = f"/api/territories/{t['id']}"
    outsider = factory.user(Role.SUPERVISOR, factory.station())
    idle = factory.user(Role.COLLECTOR, st)
    for user in (outsider, idle):
        h = factory.token(user, client)
        assert client.get(url, headers=h).status_code == 404
        assert (
            client.patch(url, json={"name": "x"}, headers=h | {"If-Match": '"x"'}).status_code
            == 404
        )
    assert client.get(url, headers=factory.token(col, client)).status_code == 200
    resp = client.patch(
        url,
        json={"name": "x"},
        headers=factory.token(col, client)
        | {"If-Match": client.get(url, headers=headers).headers["ETag"]},
    )
    assert resp.status_code == 403


def test_a_territory_may_not_reach_into_another_stations_area(team, factory, client):
    """Drawing over another station's territory or accounts is refused (16.14), naming neither."""
    st, _, _, headers = team
    neighbour = factory.station()
    factory.territory(neighbour, "MULTIPOLYGON(((110.0 34.0,110.3 34.0,110.3 34.3,110.0 34.3,"
                      "110.0 34.0)))")
    resp = client.post("/api/territories", json={"name": "越界", "area": _poly(WEST)},
                       headers=headers)
    assert resp.status_code == 422 and "another station" in str(resp.json["errors"])
    stranger = factory.account(neighbour, lonlat=(110.45, 34.1))
    resp = client.post("/api/territories", json={"name": "东片", "area": _poly(EAST)},
                       headers=headers)
    assert resp.status_code == 422 and str(stranger.id) not in str(resp.json)
    factory.session.delete(stranger)
    factory.session.flush()
    resp = client.post("/api/territories", json={"name": "东片", "area": _poly(EAST)},
                       headers=headers)
    assert resp.status_code == 201, resp.json
