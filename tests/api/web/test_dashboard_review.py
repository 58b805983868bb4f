"""The supervisor's page, plan review: a day's draft with its routes and left-out accounts,
a stop moved out, a left-out account added and two stops swapped within a route, with the
plan check answering as the API does, then the edit saved and published."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.api.web.test_dashboard_page import log_in
from tests.support.live_plans import call, plan_day, token


@pytest.fixture(scope="module")
def draft(live_server) -> dict[str, Any]:
    """Tomorrow's plan of the demo station, left a draft (today's belongs to other tests)."""
    base = live_server.url
    sup = token(base, "supervisor", "supervisor-demo")
    station = call(base, "/api/auth/me", sup)["stations"][0]["id"]
    day = live_server.today + dt.timedelta(days=1)
    # The demo's collectors can cover every account in arrears in a whole day, so nothing
    # would be left out: planned as at 14:00, the afternoon leaves some for another day.
    plan = plan_day(
        base, live_server.database_url, sup, station, day, publish=False, at=dt.time(14)
    )
    return {"plan": call(base, f"/api/plans/{plan['id']}", sup), "sup": sup, "station": station}


def _edits(routes: dict[int, list[int]]) -> list[dict[str, Any]]:
    return [
        {"collector_id": c, "stops": [{"account_id": a} for a in stops]}
        for c, stops in routes.items()
    ]


def _wait_check(page: Any, n: int) -> dict[str, str | None]:
    page.wait_for_selector(f"#check[data-checks='{n}']", timeout=60_000)
    return {k: page.get_attribute("#check", f"data-{k}") for k in ("feasible", "delta", "error")}


def test_move_a_stop_and_add_a_left_out_account_then_publish(live_server, browser_page, draft):
    """Each edit (out of the plan, into a route, one stop later in its route) shows the plan
    check the API gives for the same routes; publishing saves the edited routes, in the
    edited order, as a new version and publishes it (with a reason if infeasible)."""
    plan, page = draft["plan"], browser_page
    base, sup = live_server.url, draft["sup"]
    log_in(page, base)
    page.click("#tabs button[data-mode=review]")
    page.fill("#plan-date", plan["plan_date"])
    page.dispatch_event("#plan-date", "change")
    page.wait_for_selector(f"#review-body[data-plan-id='{plan['id']}']", timeout=30_000)
    routes = {r["collector_id"]: [s["account_id"] for s in r["stops"]] for r in plan["routes"]}
    left = plan["summary"]["unassigned"]
    assert int(page.get_attribute("#review details.left-out >> nth=0", "data-count")) > 0
    assert sum(
        int(d.get_attribute("data-count"))
        for d in page.query_selector_all("#review details.left-out")
    ) == len(left)

    first = plan["routes"][0]["collector_id"]
    moved = routes[first].pop(0)
    route = page.locator(f"#review details.route[data-collector-id='{first}']")
    route.locator("summary").click()
    route.locator(f"li[data-account-id='{moved}'] select.move").select_option("out")
    shown = _wait_check(page, 1)
    api = call(base, f"/api/plans/{plan['id']}/check", sup, _edits(routes))
    assert shown == {
        "feasible": str(api["feasible"]).lower(),
        "delta": api["value"]["delta"],
        "error": None,
    }
    assert api["value"]["lost_accounts"][0]["account_id"] == moved

    row = page.locator("#review details.left-out li:has(select.add option:nth-child(2))").first
    added = int(row.get_attribute("data-account-id"))
    row.locator("xpath=ancestor::details").locator("summary").click()
    target = int(row.locator("select.add option:nth-child(2)").get_attribute("value"))
    row.locator("select.add").select_option(str(target))
    routes[target].append(added)
    shown = _wait_check(page, 2)
    api = call(base, f"/api/plans/{plan['id']}/check", sup, _edits(routes))
    assert shown == {
        "feasible": str(api["feasible"]).lower(),
        "delta": api["value"]["delta"],
        "error": None,
    }

    # The route's first stop one place later (its ↑ is disabled, ↓ swaps it with the next).
    assert len(routes[first]) >= 2
    head = route.locator("ol.stops li").first
    assert head.locator("button.up").is_disabled()
    head.locator("button.down").click()
    routes[first][0], routes[first][1] = routes[first][1], routes[first][0]
    shown = _wait_check(page, 3)
    order = [int(li.get_attribute("data-account-id")) for li in route.locator("ol.stops li").all()]
    assert order == routes[first]
    api = call(base, f"/api/plans/{plan['id']}/check", sup, _edits(routes))
    assert shown == {
        "feasible": str(api["feasible"]).lower(),
        "delta": api["value"]["delta"],
        "error": None,
    }

    page.click("#publish")
    if not api["feasible"]:  # 409 with the findings: publish anyway, with a reason
        page.wait_for_selector("#override:not([hidden])", timeout=30_000)
        page.fill("#override", "超时可接受，已与收费员确认")
        page.click("#publish")
    page.wait_for_selector("#publish-status[data-published]", timeout=60_000)
    versions = call(base, f"/api/stations/{draft['station']}/plans?date={plan['plan_date']}", sup)
    published = [v for v in versions if v["status"] == "published"]
    assert (
        len(published) == 1 and published[0]["version"] == max(v["version"] for v in versions) > 1
    )
    assert page.get_attribute("#publish-status", "data-published") == str(published[0]["id"])
    now = call(base, f"/api/plans/{published[0]['id']}?compact=true", sup)
    stops = {r["collector_id"]: [s["account_id"] for s in r["stops"]] for r in now["routes"]}
    assert moved not in stops[first] and added in stops[target]
    assert stops[first] == routes[first]
