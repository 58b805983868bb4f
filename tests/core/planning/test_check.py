"""The plan check: ETAs recomputed along edited routes, violations, value kept and lost."""

from __future__ import annotations

import datetime as dt

from core.models import Outcome
from tests.support.plan_edit import body, route_of, share_west_with_east, stops_of
from tests.support.plans import build_day, visit


def _times_consistent(route):
    prev = route["leaves_at"]
    for s in route["stops"]:
        assert prev <= s["arrival"] <= s["eta"] < s["departure"]
        eta = dt.datetime.fromisoformat(s["eta"])
        dep = dt.datetime.fromisoformat(s["departure"])
        assert (dep - eta).total_seconds() == s["explain"]["service_s"]
        prev = s["departure"]
    assert prev <= route["back_at"]


def test_unedited_plan_checks_feasible_with_the_optimisers_value(factory, client, plan_day):
    """Checking a plan as the optimiser made it: no violations, nothing lost, ETAs in order."""
    day = build_day(factory, per_side=3)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup, publish=False)
    resp = client.post(f"/api/plans/{plan['id']}/check", json=[], headers=sup)
    assert resp.status_code == 200, resp.json
    check = resp.json
    assert check["feasible"] is True and check["violations"] == 0
    assert check["value"]["lost"] == "0.00" and check["value"]["baseline_plan_id"] == plan["id"]
    assert (
        check["value"]["edited"] == check["value"]["baseline"] == plan["summary"]["expected_value"]
    )
    for r in check["routes"]:
        assert [s["account_id"] for s in r["stops"]] == stops_of(plan, r["collector_id"])
        _times_consistent(r)


def test_reorder_changes_etas_consistently_and_flags_a_window_violation(
    factory, client, session, plan_day
):
    """Putting a morning promise last on a long route recomputes every ETA in the new order
    and reports the promise's window as violated."""
    day = build_day(factory, per_side=10)
    promised = day.accounts["west"][0]
    visit(session, promised, day.west, Outcome.PROMISE, days_ago=3, hour=8, promise=day.plan_date)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup, publish=False)
    others = [a.id for a in day.accounts["west"][1:]]
    order = [*others, promised.id]
    resp = client.post(
        f"/api/plans/{plan['id']}/check", json=[body(day.west.id, order)], headers=sup
    )
    assert resp.status_code == 200, resp.json
    route = route_of(resp.json, day.west.id)
    assert [s["account_id"] for s in route["stops"]] == order
    _times_consistent(route)
    last = route["stops"][-1]
    assert last["mandatory"] is True and last["window"] == {
        "start": 8 * 3600,
        "end": 9 * 3600 + 50 * 60,
    }
    kinds = [v["kind"] for v in last["violations"]]
    assert kinds == ["time_window"] and last["violations"][0]["minutes"] > 0
    assert resp.json["feasible"] is False
    assert resp.json["value"]["at_risk"] == last["expected_value"]
    first = client.post(
        f"/api/plans/{plan['id']}/check",
        json=[body(day.west.id, [promised.id, *others])],
        headers=sup,
    ).json
    assert route_of(first, day.west.id)["stops"][0]["violations"] == []


def test_moving_a_stop_to_another_collector_is_reflected_and_lost_value_reported(
    factory, client, session, plan_day
):
    """A stop moved west -> east shows on the east route of the new version; a removed stop
    is lost value, listed with its reason."""
    day = build_day(factory, per_side=3)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup, publish=False)
    share_west_with_east(session, day)
    west = stops_of(plan, day.west.id)
    east = stops_of(plan, day.east.id)
    moved, removed = west[0], west[1]
    resp = client.put(
        f"/api/plans/{plan['id']}/routes",
        json=[body(day.west.id, west[2:]), body(day.east.id, [*east, moved])],
        headers=sup,
    )
    assert resp.status_code == 201, resp.json
    new = client.get(resp.headers["Location"], headers=sup).json
    assert new["status"] == "draft" and new["version"] == plan["version"] + 1
    assert stops_of(new, day.east.id) == [*east, moved]
    assert stops_of(new, day.west.id) == west[2:]
    value = resp.json["value"]
    removed_value = next(
        s["expected_value"]
        for s in route_of(plan, day.west.id)["stops"]
        if s["account_id"] == removed
    )
    assert value["lost"] == removed_value and float(removed_value) > 0
    assert value["lost_accounts"] == [{"account_id": removed, "expected_value": removed_value}]
    assert float(value["kept"]) + float(value["lost"]) == float(value["baseline"])
    left = {x["account_id"]: x["reason"] for x in resp.json["left_out"]}
    assert left[removed] == "removed_by_editor" and moved not in left
    assert new["summary"]["optimised_plan_id"] == plan["id"]
