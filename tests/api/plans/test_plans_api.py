"""Plans over HTTP: the check's verdict stored and shown, publishing an infeasible version,
unassigned accounts a supervisor can act on, the compact form."""

from __future__ import annotations

import json

from sqlalchemy import select

from core.models import Outcome
from tests.support.plan_edit import body
from tests.support.plans import build_day, visit


def test_an_infeasible_version_publishes_only_with_an_override_kept_in_the_audit(
    factory, client, session, plan_day
):
    """The check's verdict is stored with each version and shown; publishing an infeasible
    one answers 409 with the findings unless an override reason is given (audited)."""
    day = build_day(factory, per_side=10)
    promised = day.accounts["west"][0]
    visit(session, promised, day.west, Outcome.PROMISE, days_ago=0, hour=8, promise=day.plan_date)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup, publish=False)
    assert plan["check"]["feasible"] is True
    late = [*(a.id for a in day.accounts["west"][1:]), promised.id]
    saved = client.put(
        f"/api/plans/{plan['id']}/routes", json=[body(day.west.id, late)], headers=sup
    )
    assert saved.status_code == 201 and saved.json["feasible"] is False
    draft = client.get(f"/api/plans/{saved.json['plan_id']}", headers=sup).json
    assert draft["check"]["feasible"] is False and draft["check"]["violations"] > 0
    url = f"/api/plans/{draft['id']}/publish"
    refused = client.post(url, headers=sup)
    assert refused.status_code == 409, refused.json
    findings = refused.json["check"]["findings"]
    assert {"collector_id": day.west.id, "account_id": promised.id} in [
        {k: f[k] for k in ("collector_id", "account_id")} for f in findings
    ]
    assert client.get(url.removesuffix("/publish"), headers=sup).json["status"] == "draft"
    forced = client.post(
        url, json={"override_reason": "the customer asked for the evening"}, headers=sup
    )
    assert forced.status_code == 200 and forced.json["status"] == "published"
    from core.models import PlanPublication

    [row] = session.scalars(select(PlanPublication).where(PlanPublication.plan_id == draft["id"]))
    assert (row.feasible, row.override_reason, row.actor_id) == (
        False,
        "the customer asked for the evening",
        day.supervisor.id,
    )


def test_unassigned_accounts_name_their_territory_and_collector(factory, client, plan_day):
    """Each unassigned entry carries the account's territory, responsible collector and the
    collectors who may take it, so moving it onto a route is one edit."""
    day = build_day(factory, per_side=2)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup, publish=False, collector_ids=[day.west.id])
    east = {a.id: a for a in day.accounts["east"]}
    entries = [u for u in plan["summary"]["unassigned"] if u["account_id"] in east]
    assert len(entries) == 2
    for u in entries:
        acc = east[u["account_id"]]
        assert u["territory_id"] == acc.territory_id
        assert u["responsible_id"] == day.east.id
        assert u["collector_ids"] == [day.east.id]


def test_the_compact_plan_leaves_out_the_per_stop_explain(factory, client, plan_day):
    """?compact=true answers the same routes and stops without each stop's explain, and
    counts the unassigned accounts by reason."""
    day = build_day(factory, per_side=4)
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup, publish=False)
    compact = client.get(f"/api/plans/{plan['id']}?compact=true", headers=sup)
    assert compact.status_code == 200, compact.json
    stops = [s for r in compact.json["routes"] for s in r["stops"]]
    assert stops and all("explain" not in s for s in stops)
    full_stops = [s for r in plan["routes"] for s in r["stops"]]
    assert [s["account_id"] for s in stops] == [s["account_id"] for s in full_stops]
    assert len(json.dumps(compact.json)) < len(json.dumps(plan)) / 2
    summary = compact.json["summary"]
    assert "unassigned" not in summary and "value_model" not in summary
    assert sum(summary["unassigned_counts"].values()) == len(plan["summary"]["unassigned"])
