"""GET /api/me/route/pack: the collector's day offline, in the phone map's coordinates."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from core.models import LocationQuality
from geo.coords import bd09_to_wgs84, gcj02_to_wgs84, haversine_m
from tests.support.plans import build_day


def _pack(client, factory, day, who, **query):
    q = "&".join(f"{k}={v}" for k, v in {"date": day.plan_date, **query}.items())
    return client.get(f"/api/me/route/pack?{q}", headers=factory.token(who, client))


def test_pack_holds_the_days_stops_with_money_history_links_and_geometry(factory, client, plan_day):
    """The pack lists my published stops in order with bills, stage, history, explain,
    navigation links, a WGS-84 GeoJSON line, cash in hand, a hash and an ETag."""
    day = build_day(factory, per_side=3)
    plan = plan_day(day, factory.token(day.supervisor, client))
    resp = _pack(client, factory, day, day.west)
    assert resp.status_code == 200, resp.json
    pack = resp.json
    route = next(r for r in plan["routes"] if r["collector_id"] == day.west.id)
    assert pack["plan_id"] == plan["id"] and pack["crs"] == "wgs84"
    assert [s["account"]["id"] for s in pack["stops"]] == [s["account_id"] for s in route["stops"]]
    assert [s["eta"] for s in pack["stops"]] == [s["eta"] for s in route["stops"]]
    stop = pack["stops"][0]
    assert stop["account"]["phone"] == "13800000000" and stop["account"]["address"]
    due = stop["amount_due"]
    (bill,) = due["bills"]
    assert bill["principal"] == due["principal"] and bill["late_fee"] == due["late_fee"]
    assert float(bill["late_fee"]) > 0 and isinstance(bill["total"], str)
    assert stop["escalation_stage"] == stop["history"]["escalation_stage"]
    assert {"p_pay", "p_home", "prize_fen"} <= set(stop["explain"])
    assert stop["position"] == stop["position_wgs84"]
    lon, lat = stop["position_wgs84"]["lon"], stop["position_wgs84"]["lat"]
    assert stop["navigation"]["geo"] == f"geo:{lat},{lon}"
    amap = urlsplit(stop["navigation"]["amap"])
    assert (amap.scheme, amap.netloc, amap.path) == ("https", "uri.amap.com", "/marker")
    query = parse_qs(amap.query)
    assert query["coordinate"] == ["gaode"] and query["name"] == [stop["account"]["name"]]
    assert "%" in amap.query  # the Chinese name is percent-encoded
    glon, glat = (float(x) for x in query["position"][0].split(","))
    assert 100 < haversine_m((glon, glat), (lon, lat)) < 800  # Amap gets GCJ-02
    line = pack["geometry"]
    assert line["type"] == "LineString" and len(line["coordinates"]) == len(pack["stops"]) + 2
    assert line["coordinates"][1] == [lon, lat]
    assert pack["geometry_crs"]["coordinates"] == line["coordinates"]
    assert pack["cash_in_hand"] == "0.00" and pack["generated_at"]
    assert pack["content_hash"].startswith("sha256:")
    assert resp.headers["ETag"] == f'"{pack["content_hash"].removeprefix("sha256:")}"'
    assert unquote(stop["navigation"]["amap"]).count(stop["account"]["name"]) == 1


def test_gcj02_pack_is_100_to_800_m_off_wgs84_and_converts_back_under_1_m(
    factory, client, plan_day
):
    """GCJ-02 positions and line are shifted 100-800 m in China and convert back to the
    WGS-84 ones within 1 m; BD-09 converts back likewise."""
    day = build_day(factory, per_side=3)
    plan_day(day, factory.token(day.supervisor, client))
    wgs = _pack(client, factory, day, day.east).json
    gcj = _pack(client, factory, day, day.east, crs="gcj02").json
    bd = _pack(client, factory, day, day.east, crs="bd09").json
    assert gcj["crs"] == "gcj02" and gcj["stops"]
    for s, g, b in zip(wgs["stops"], gcj["stops"], bd["stops"], strict=True):
        w = (s["position"]["lon"], s["position"]["lat"])
        p = (g["position"]["lon"], g["position"]["lat"])
        assert g["position_wgs84"] == s["position"]
        assert 100 < haversine_m(w, p) < 800
        assert haversine_m(gcj02_to_wgs84(*p), w) < 1
        q = (b["position"]["lon"], b["position"]["lat"])
        assert haversine_m(bd09_to_wgs84(*q), w) < 1 and haversine_m(q, p) > 100
    assert gcj["geometry"] == wgs["geometry"]  # GeoJSON stays WGS-84
    for a, c in zip(
        wgs["geometry"]["coordinates"], gcj["geometry_crs"]["coordinates"], strict=True
    ):
        assert 100 < haversine_m(tuple(a), tuple(c)) < 800
        assert haversine_m(gcj02_to_wgs84(*c), tuple(a)) < 1


def test_pack_answers_304_on_if_none_match_and_the_etag_follows_the_content(
    factory, client, plan_day
):
    """The same pack again is 304 without a body; another crs has another ETag."""
    day = build_day(factory, per_side=2)
    plan_day(day, factory.token(day.supervisor, client))
    headers = factory.token(day.west, client)
    url = f"/api/me/route/pack?date={day.plan_date}"
    first = client.get(url, headers=headers)
    again = client.get(url, headers=headers | {"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    other = client.get(
        url + "&crs=gcj02", headers=headers | {"If-None-Match": first.headers["ETag"]}
    )
    assert other.status_code == 200 and other.headers["ETag"] != first.headers["ETag"]
    stale = client.get(url, headers=headers | {"If-None-Match": '"0000"'})
    assert stale.status_code == 200 and stale.json["content_hash"] == first.json["content_hash"]


def test_pack_is_only_ever_the_callers_own_published_route(factory, client, plan_day):
    """Each collector gets their own route; drafts, supervisors and other stations get 404."""
    day = build_day(factory, per_side=2)
    sup = factory.token(day.supervisor, client)
    plan_day(day, sup, publish=False)
    assert _pack(client, factory, day, day.west).status_code == 404
    plan_day(day, sup)
    east = _pack(client, factory, day, day.east).json
    assert east["collector_id"] == day.east.id
    assert {s["account"]["id"] for s in east["stops"]} <= {a.id for a in day.accounts["east"]}
    other = factory.station()
    for who in (day.supervisor, factory.user("collector", other), factory.user("admin")):
        resp = _pack(client, factory, day, who)
        assert resp.status_code == 404 and resp.content_type == "application/problem+json"


def test_bad_pack_queries_answer_422_problem_json(factory, client, plan_day):
    """Unknown crs, unknown parameter or a bad date: 422 problem+json."""
    day = build_day(factory, per_side=1)
    plan_day(day, factory.token(day.supervisor, client))
    for query in ({"crs": "utm"}, {"crs": "GCJ02"}, {"zoom": "3"}, {"date": "2026-13-01"}):
        resp = _pack(client, factory, day, day.west, **query)
        assert resp.status_code == 422, query
        assert resp.content_type == "application/problem+json" and resp.json["errors"]


def test_pack_and_route_show_an_approximate_location_and_its_wider_service(
    factory, client, plan_day, session
):
    """An account at its village's point is approximate in the pack's account, the route's
    stop and both explains, with the wider service time; the others are exact."""
    day = build_day(factory, per_side=2)
    rough = day.accounts["west"][0]
    rough.location_quality = LocationQuality.APPROXIMATE
    session.flush()
    plan = plan_day(day, factory.token(day.supervisor, client))
    pack = _pack(client, factory, day, day.west).json
    by_account = {s["account"]["id"]: s for s in pack["stops"]}
    assert by_account[rough.id]["account"]["location_quality"] == "approximate"
    assert by_account[rough.id]["explain"]["location_quality"] == "approximate"
    others = [s for a, s in by_account.items() if a != rough.id]
    assert others and {s["account"]["location_quality"] for s in others} == {"exact"}
    route = next(r for r in plan["routes"] if r["collector_id"] == day.west.id)
    stop = next(s for s in route["stops"] if s["account_id"] == rough.id)
    assert stop["explain"]["location_quality"] == "approximate"
    assert stop["explain"]["service_s"] > by_account[others[0]["account"]["id"]]["explain"][
        "service_s"
    ]
    mine = client.get(
        f"/api/me/route?date={day.plan_date}", headers=factory.token(day.west, client)
    ).json
    mine_stop = next(s for s in mine["stops"] if s["account"]["id"] == rough.id)
    assert mine_stop["account"]["location_quality"] == "approximate"


def test_the_pack_carries_each_accounts_notes_and_a_changed_note_is_a_new_pack(
    factory, client, plan_day
):
    """The account card's notes come with the pack (none: null); after the supervisor edits
    a note, the phone's revalidation gets the new pack, not 304."""
    day = build_day(factory, per_side=2)
    sup = factory.token(day.supervisor, client)
    plan_day(day, sup)
    first = _pack(client, factory, day, day.west)
    stop = first.json["stops"][0]
    assert stop["account"]["notes"] is None
    url = f"/api/accounts/{stop['account']['id']}"
    etag = client.get(url, headers=sup).headers["ETag"]
    note = "狗凶，先打电话；周三赶集不在家"
    edit = client.patch(url, json={"notes": note}, headers=sup | {"If-Match": etag})
    assert edit.status_code == 200, edit.json
    headers = factory.token(day.west, client) | {"If-None-Match": first.headers["ETag"]}
    again = client.get(f"/api/me/route/pack?date={day.plan_date}", headers=headers)
    assert again.status_code == 200
    notes = {s["account"]["id"]: s["account"]["notes"] for s in again.json["stops"]}
    assert notes[stop["account"]["id"]] == note
    assert [n for a, n in notes.items() if a != stop["account"]["id"]] == [None]
