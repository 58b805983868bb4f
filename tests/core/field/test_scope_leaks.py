"""Routes and packs go through the one scoping helper (issue 16.14): stops of accounts
reassigned away are redacted."""

from __future__ import annotations

from tests.support.plans import build_day


def _reassign_first_stop(factory, client, day, route_body):
    """The supervisor hands the route's first account to the east collector (PATCH)."""
    account_id = route_body["stops"][0]["account"]["id"]
    sup = factory.token(day.supervisor, client)
    url = f"/api/accounts/{account_id}"
    etag = client.get(url, headers=sup).headers["ETag"]
    resp = client.patch(
        url, json={"responsible_id": day.east.id}, headers=sup | {"If-Match": etag}
    )
    assert resp.status_code == 200, resp.json
    return account_id


def test_my_route_and_route_by_id_redact_accounts_reassigned_away(factory, client, plan_day):
    """After a reassignment the collector's route hides that stop, its account and the line."""
    day = build_day(factory, per_side=3)
    plan = plan_day(day, factory.token(day.supervisor, client))
    west = factory.token(day.west, client)
    url = f"/api/me/route?date={day.plan_date}"
    before = client.get(url, headers=west).json
    assert before["redacted"] == 0 and before["geometry"] is not None
    gone = _reassign_first_stop(factory, client, day, before)
    route_id = next(r["id"] for r in plan["routes"] if r["collector_id"] == day.west.id)
    for body in (client.get(url, headers=west).json,
                 client.get(f"/api/routes/{route_id}", headers=west).json):
        assert gone not in {s["account"]["id"] for s in body["stops"]}
        assert len(body["stops"]) == len(before["stops"]) - 1
        assert body["redacted"] == 1 and body["geometry"] is None
    supervisor = factory.token(day.supervisor, client)
    full = client.get(f"/api/routes/{route_id}", headers=supervisor).json
    assert gone in {s["account"]["id"] for s in full["stops"]} and full["redacted"] == 0


def test_the_pack_redacts_accounts_reassigned_away(factory, client, plan_day):
    """The offline pack leaves out a stop whose account was reassigned, and its line."""
    day = build_day(factory, per_side=3)
    plan_day(day, factory.token(day.supervisor, client))
    west = factory.token(day.west, client)
    before = client.get(f"/api/me/route?date={day.plan_date}", headers=west).json
    gone = _reassign_first_stop(factory, client, day, before)
    pack = client.get(f"/api/me/route/pack?date={day.plan_date}", headers=west)
    assert pack.status_code == 200
    assert gone not in {s["account"]["id"] for s in pack.json["stops"]}
    assert len(pack.json["stops"]) == len(before["stops"]) - 1
