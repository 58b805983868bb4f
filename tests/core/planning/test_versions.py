"""Edits make new draft versions; re-optimise (a plan job) keeps locked stops; scope and
bad input."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from core.models import Job
from tests.support.plan_edit import body, reoptimise, route_of, run_job, stops_of
from tests.support.plans import build_day, pay_in_full


def _versions(client, day, sup):
    url = f"/api/stations/{day.station.id}/plans?date={day.plan_date}"
    return [(p["version"], p["status"]) for p in client.get(url, headers=sup).json]


def _jobs(session, day):
    """How many jobs the station has (plan jobs and re-optimise jobs alike)."""
    return session.scalar(
        select(func.count()).select_from(Job).where(Job.station_id == day.station.id)
    )


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


def test_locked_stops_survive_reoptimise_in_order(factory, client, app, rung, plan_day):
    """Two stops locked in a chosen order lead the collector's route in the version the
    re-optimise job stores (202 + job, then the worker stores v3 once)."""
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
    rung.clear()
    resp = reoptimise(client, edited.json["plan_id"], sup)
    assert resp.json["dropped_locks"] == []
    assert resp.json["request"]["pinned"] == {str(day.west.id): [west[3], west[0]]}
    assert sorted(resp.json["request"]["collector_ids"]) == sorted([day.west.id, day.east.id])
    assert rung == [uuid.UUID(resp.json["id"])]
    assert _versions(client, day, sup) == [(2, "draft"), (1, "draft")]

    assert run_job(app, resp.json["id"]) == "done"
    job = client.get(resp.headers["Location"], headers=sup).json
    assert job["status"] == "done" and job["result"]["version"] == 3
    assert job["result"]["reoptimised_from"] == edited.json["plan_id"]
    new = client.get(job["links"]["plan"], headers=sup).json
    assert (new["version"], new["status"], new["job_id"]) == (3, "draft", resp.json["id"])
    stops = route_of(new, day.west.id)["stops"]
    assert [s["account_id"] for s in stops[:2]] == [west[3], west[0]]
    assert [s["locked"] for s in stops] == [True, True] + [False] * (len(stops) - 2)
    assert {r["collector_id"] for r in new["routes"]} == {day.west.id, day.east.id}
    assert new["summary"]["reoptimised_from"] == edited.json["plan_id"]
    assert new["summary"]["dropped_locks"] == []
    check = client.post(f"/api/plans/{new['id']}/check", json=[], headers=sup)
    assert check.status_code == 200 and check.json["base_plan_id"] == new["id"]

    assert run_job(app, resp.json["id"]) == "not_claimed"  # exactly once per job
    assert _versions(client, day, sup) == [(3, "draft"), (2, "draft"), (1, "draft")]


def test_another_stations_supervisor_and_collectors_get_404(
    factory, client, session, rung, plan_day
):
    """Plan editing is invisible outside the plan's station and to every collector; no
    re-optimise job is queued for them."""
    day = build_day(factory, per_side=2)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup)
    rung.clear()
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
    assert rung == [] and _jobs(session, day) == 1


def test_bad_edits_answer_422_problem_json_and_save_nothing(factory, client, session, plan_day):
    """Unknown account, another station's account, duplicate stop, unknown field, foreign
    collector: each 422 problem+json with field errors, and no new version; a re-optimise
    budget out of range or an unknown field: 422 and no job."""
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
    jobs = _jobs(session, day)
    for limit in (99, 0.1, "fast"):
        resp = client.post(
            f"/api/plans/{plan['id']}/reoptimise", json={"time_limit": limit}, headers=sup
        )
        assert resp.status_code == 422, (limit, resp.json)
        assert resp.json["errors"]["json"]["time_limit"], limit
    resp = client.post(f"/api/plans/{plan['id']}/reoptimise", json={"colour": 1}, headers=sup)
    assert resp.status_code == 422
    assert _versions(client, day, sup) == [(1, "draft")] and _jobs(session, day) == jobs


def test_a_superseded_version_cannot_be_edited_or_reoptimised(
    factory, client, session, rung, plan_day
):
    """Once a newer version is published, the old one answers 409 and nothing is stored
    (no re-optimise job either)."""
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
    rung.clear()
    for method, path, json in (
        (client.put, "routes", [body(day.west.id, west)]),
        (client.post, "check", []),
        (client.post, "reoptimise", {"time_limit": 1}),
    ):
        resp = method(f"/api/plans/{plan['id']}/{path}", json=json, headers=sup)
        assert resp.status_code == 409, (path, resp.json)
        assert resp.content_type == "application/problem+json"
    assert _versions(client, day, sup) == [(2, "published"), (1, "superseded")]
    assert rung == [] and _jobs(session, day) == 1


def test_a_locked_stop_paid_since_is_dropped_from_reoptimise_with_its_reason(
    factory, client, app, session, plan_day
):
    """A locked account with nothing left to pay is not pinned; the answer and the stored
    version say why."""
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
    resp = reoptimise(client, edited["plan_id"], sup)
    dropped = [{"account_id": west[0], "reason": "no_arrears"}]
    assert resp.json["dropped_locks"] == dropped
    assert resp.json["request"]["pinned"] == {str(day.west.id): [west[1]]}
    assert run_job(app, resp.json["id"]) == "done"
    job = client.get(f"/api/jobs/{resp.json['id']}", headers=sup).json
    assert job["result"]["dropped_locks"] == dropped
    new = client.get(job["links"]["plan"], headers=sup).json
    assert new["summary"]["dropped_locks"] == dropped and new["version"] == 3
    accounts = [s["account_id"] for s in route_of(new, day.west.id)["stops"]]
    assert accounts[0] == west[1] and west[0] not in accounts
