"""Edits make new draft versions; re-optimise keeps locked stops; scope and bad input."""

from __future__ import annotations

from tests.plan_edit.helpers import body, route_of, stops_of
from tests.plans.helpers import build_day, pay_in_full


def _versions(client, day, sup):
    url = f"/api/stations/{day.station.id}/plans?date={day.plan_date}"
    return [(p["version"], p["status"]) for p in client.get(url, headers=sup).json]


def test_editing_a_published_plan_creates_a_new_draft_and_leaves_it_intact(
    factory, client, plan_day
):
    """PUT on the published plan stores version 2 as a draft; v1 stays published, unchanged,
    and is still the collector's route."""
    day = build_day(factory, per_side=3)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup)
    west = stops_of(plan, day.west.id)
    resp = client.put(
        f"/api/plans/{plan['id']}/routes", json=[body(day.west.id, west[::-1])], headers=sup
    )
    assert resp.status_code == 201, resp.json
    assert (resp.json["version"], resp.json["status"]) == (2, "draft")
    assert _versions(client, day, sup) == [(2, "draft"), (1, "published")]
    again = client.get(f"/api/plans/{plan['id']}", headers=sup).json
    assert again["routes"] == plan["routes"] and again["status"] == "published"
    me = factory.token(day.west, client)
    mine = client.get(f"/api/me/route?date={day.plan_date}", headers=me).json
    assert mine["plan_id"] == plan["id"]
    new = client.get(f"/api/plans/{resp.json['plan_id']}", headers=sup).json
    assert stops_of(new, day.west.id) == west[::-1]
    assert stops_of(new, day.east.id) == stops_of(plan, day.east.id)


def test_locked_stops_survive_reoptimise_in_order(factory, client, plan_day):
    """Two stops locked in a chosen order lead the collector's route after re-optimising."""
    day = build_day(factory, per_side=4)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup, publish=False)
    west = [a.id for a in day.accounts["west"]]
    order = [west[3], west[0], west[1], west[2]]
    edited = client.put(
        f"/api/plans/{plan['id']}/routes",
        json=[body(day.west.id, order, locked={west[3], west[0]})],
        headers=sup,
    )
    assert edited.status_code == 201, edited.json
    resp = client.post(
        f"/api/plans/{edited.json['plan_id']}/reoptimise", json={"time_limit": 1}, headers=sup
    )
    assert resp.status_code == 201, resp.json
    assert resp.json["version"] == 3 and resp.json["dropped_locks"] == []
    new = client.get(f"/api/plans/{resp.json['plan_id']}", headers=sup).json
    stops = route_of(new, day.west.id)["stops"]
    assert [s["account_id"] for s in stops[:2]] == [west[3], west[0]]
    assert [s["locked"] for s in stops] == [True, True] + [False] * (len(stops) - 2)
    assert new["summary"]["reoptimised_from"] == edited.json["plan_id"]
    assert resp.json["check"]["base_plan_id"] == new["id"]


def test_another_stations_supervisor_and_collectors_get_404(factory, client, plan_day):
    """Plan editing is invisible outside the plan's station and to every collector."""
    day = build_day(factory, per_side=2)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup)
    other = factory.station()
    outsiders = [
        factory.token(factory.user("supervisor", other), client),
        factory.token(day.west, client),
        factory.token(factory.user("collector", other), client),
    ]
    west = stops_of(plan, day.west.id)
    for headers in outsiders:
        for method, path, json in (
            ("put", "routes", [body(day.west.id, west)]),
            ("post", "check", []),
            ("post", "reoptimise", {"time_limit": 1}),
        ):
            resp = getattr(client, method)(
                f"/api/plans/{plan['id']}/{path}", json=json, headers=headers
            )
            assert resp.status_code == 404, (path, resp.json)
            assert resp.content_type == "application/problem+json"
    assert _versions(client, day, sup) == [(1, "published")]


def test_bad_edits_answer_422_problem_json_and_save_nothing(factory, client, plan_day):
    """Unknown account, another station's account, duplicate stop, unknown field, foreign
    collector: each 422 problem+json with field errors, and no new version."""
    day = build_day(factory, per_side=2)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup, publish=False)
    west = stops_of(plan, day.west.id)
    east = stops_of(plan, day.east.id)
    foreign = factory.account(factory.station())
    bad = {
        "unknown account": [body(day.west.id, [*west, 999_999_999])],
        "other station": [body(day.west.id, [*west, foreign.id])],
        "duplicate": [body(day.west.id, [west[0], *west])],
        "on two routes": [body(day.east.id, [*east, west[0]])],
        "outside territory": [body(day.west.id, west[1:]), body(day.east.id, [*east, west[0]])],
        "unknown field": [{**body(day.west.id, west), "colour": "red"}],
        "unknown stop field": [
            {"collector_id": day.west.id, "stops": [{"account_id": west[0], "x": 1}]}
        ],
        "foreign collector": [body(day.supervisor.id, west)],
        "not a list": {"collector_id": day.west.id, "stops": []},
        "string id": [{"collector_id": day.west.id, "stops": [{"account_id": str(west[0])}]}],
    }
    for name, payload in bad.items():
        for path, method in (("routes", client.put), ("check", client.post)):
            resp = method(f"/api/plans/{plan['id']}/{path}", json=payload, headers=sup)
            assert resp.status_code == 422, (name, path, resp.json)
            assert resp.content_type == "application/problem+json"
            assert resp.json["errors"], name
    assert _versions(client, day, sup) == [(1, "draft")]
    resp = client.post(f"/api/plans/{plan['id']}/reoptimise", json={"time_limit": 99}, headers=sup)
    assert resp.status_code == 422
    assert _versions(client, day, sup) == [(1, "draft")]


def test_a_superseded_version_cannot_be_edited_or_reoptimised(factory, client, plan_day):
    """Once a newer version is published, the old one answers 409 and nothing is stored."""
    day = build_day(factory, per_side=2)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup)
    west = stops_of(plan, day.west.id)
    edited = client.put(
        f"/api/plans/{plan['id']}/routes", json=[body(day.west.id, west[::-1])], headers=sup
    )
    assert (
        client.post(f"/api/plans/{edited.json['plan_id']}/publish", headers=sup).status_code == 200
    )
    for method, path, json in (
        (client.put, "routes", [body(day.west.id, west)]),
        (client.post, "check", []),
        (client.post, "reoptimise", {"time_limit": 1}),
    ):
        resp = method(f"/api/plans/{plan['id']}/{path}", json=json, headers=sup)
        assert resp.status_code == 409, (path, resp.json)
    assert _versions(client, day, sup) == [(2, "published"), (1, "superseded")]


def test_a_locked_stop_paid_since_is_dropped_from_reoptimise_with_its_reason(
    factory, client, session, plan_day
):
    """A locked account with nothing left to pay is not pinned; the answer says why."""
    day = build_day(factory, per_side=3)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup, publish=False)
    west = [a.id for a in day.accounts["west"]]
    edited = client.put(
        f"/api/plans/{plan['id']}/routes",
        json=[body(day.west.id, west, locked={west[0], west[1]})],
        headers=sup,
    ).json
    pay_in_full(session, day.accounts["west"][0])
    resp = client.post(
        f"/api/plans/{edited['plan_id']}/reoptimise", json={"time_limit": 1}, headers=sup
    )
    assert resp.status_code == 201, resp.json
    assert resp.json["dropped_locks"] == [{"account_id": west[0], "reason": "no_arrears"}]
    new = client.get(f"/api/plans/{resp.json['plan_id']}", headers=sup).json
    accounts = [s["account_id"] for s in route_of(new, day.west.id)["stops"]]
    assert accounts[0] == west[1] and west[0] not in accounts
