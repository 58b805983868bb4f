"""POST /api/territories/{id}/preview: a territory edit's overlaps and hand-overs, unsaved."""

from __future__ import annotations

from core.models import Account, Role

WEST = [[110.0, 34.0], [110.3, 34.0], [110.3, 34.3], [110.0, 34.3], [110.0, 34.0]]
EAST = [[110.3, 34.0], [110.6, 34.0], [110.6, 34.3], [110.3, 34.3], [110.3, 34.0]]
WIDER_WEST = [[110.0, 34.0], [110.45, 34.0], [110.45, 34.3], [110.0, 34.3], [110.0, 34.0]]


def _poly(ring):
    return {"type": "Polygon", "coordinates": [ring]}


def test_preview_reports_overlaps_and_accounts_changing_hands_and_saves_nothing(
    factory, client
):
    """Widening west over east: the overlap with east and the account at 110.4 moving from
    east's collector to west's are reported; the polygon and the account stay as they were."""
    st = factory.station()
    headers = factory.token(factory.user(Role.SUPERVISOR, st), client)
    w_col, e_col = factory.user(Role.COLLECTOR, st), factory.user(Role.COLLECTOR, st)
    west = client.post(
        "/api/territories",
        json={"name": "西", "area": _poly(WEST), "collector_ids": [w_col.id]},
        headers=headers,
    ).json
    east = client.post(
        "/api/territories",
        json={"name": "东", "area": _poly(EAST), "collector_ids": [e_col.id]},
        headers=headers,
    ).json
    # Accounts created after the territories get their territory at creation.
    moving = factory.account(st, lonlat=(110.4, 34.1), territory_id=east["id"])
    staying = factory.account(st, lonlat=(110.5, 34.1), territory_id=east["id"])
    url = f"/api/territories/{west['id']}"
    resp = client.post(f"{url}/preview", json={"area": _poly(WIDER_WEST)}, headers=headers)
    assert resp.status_code == 200, resp.json
    assert [o["territory_id"] for o in resp.json["overlaps"]] == [east["id"]]
    changes = {c["account_id"]: c for c in resp.json["changes"]}
    assert moving.id in changes and staying.id not in changes
    assert changes[moving.id]["from_collector_ids"] == [e_col.id]
    assert changes[moving.id]["to_territory_id"] == west["id"]
    assert changes[moving.id]["to_collector_ids"] == [w_col.id]
    factory.session.expire_all()
    assert factory.session.get(Account, moving.id).territory_id == east["id"]
    assert client.get(url, headers=headers).json["area"]["coordinates"][0][0][1][0] == 110.3


def test_preview_of_a_bad_polygon_is_a_problem_and_collectors_cannot_preview(factory, client):
    """A self-crossing ring answers 422 with the area's field error; a collector gets 403."""
    st = factory.station()
    sup = factory.user(Role.SUPERVISOR, st)
    headers = factory.token(sup, client)
    t = client.post("/api/territories", json={"name": "片", "area": _poly(WEST)}, headers=headers)
    bow = [[110.0, 34.0], [110.3, 34.3], [110.3, 34.0], [110.0, 34.3], [110.0, 34.0]]
    url = f"/api/territories/{t.json['id']}/preview"
    bad = client.post(url, json={"area": _poly(bow)}, headers=headers)
    assert bad.status_code == 422 and "area" in str(bad.json["errors"])
    col = factory.token(factory.user(Role.COLLECTOR, st), client)
    assert client.post(url, json={"area": _poly(WEST)}, headers=col).status_code in (403, 404)
