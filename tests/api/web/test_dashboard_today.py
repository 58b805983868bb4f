"""The supervisor's page, today: routes, stops and positions drawn from the tiles, and each
collector's progress equal to the progress view's, refreshed with ETags."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.web.test_dashboard_page import log_in, painted
from tests.support.live_plans import call, plan_day, token, visit_first_stops

COLLECTOR_PASSWORD = "collector-demo"


@pytest.fixture(scope="module")
def today(live_server) -> dict[str, Any]:
    """Today's plan of the demo station, published; each collector visited one stop."""
    base = live_server.url
    sup = token(base, "supervisor", "supervisor-demo")
    station = call(base, "/api/auth/me", sup)["stations"][0]["id"]
    plan = plan_day(base, live_server.database_url, sup, station, live_server.today, publish=True)
    users = {u["id"]: u["username"] for u in call(base, "/api/users", sup)}
    visits = visit_first_stops(base, plan, users, COLLECTOR_PASSWORD, "nobody_home", 1)
    return {"plan": plan, "station": station, "sup": sup, "users": users, "visits": visits}


def _rows(page: Any) -> dict[int, tuple[int, int]]:
    return {
        int(r.get_attribute("data-collector-id")): (
            int(r.get_attribute("data-done")),
            int(r.get_attribute("data-total")),
        )
        for r in page.query_selector_all("#today .progress-row")
    }


def _progress(live_server, today) -> dict[int, tuple[int, int]]:
    body = call(live_server.url, f"/api/stations/{today['station']}/progress", today["sup"])
    return {r["collector_id"]: (r["stops_done"], r["stops_total"]) for r in body["routes"]}


def test_today_shows_each_collectors_progress_as_the_progress_view(
    live_server, browser_page, today
):
    """One row per route with stops done/total equal to GET /stations/{id}/progress."""
    log_in(browser_page, live_server.url)
    browser_page.wait_for_selector("#today .progress-row", timeout=30_000)
    expected = _progress(live_server, today)
    assert _rows(browser_page) == expected
    assert len(expected) == len(today["plan"]["routes"]) and all(
        done == 1 for done, _ in expected.values()
    )


def test_today_draws_routes_visited_stops_and_last_positions(live_server, browser_page, today):
    """The routes, stops and positions layers render features from the day's tiles: one
    route line and one last position per collector, the visited stops with their outcome."""
    log_in(browser_page, live_server.url)
    browser_page.wait_for_selector("#today .progress-row", timeout=30_000)
    browser_page.wait_for_function(
        "() => window.dashboard.map.queryRenderedFeatures({layers: ['positions']}).length > 0",
        timeout=30_000,
    )
    painted(browser_page)
    drawn = browser_page.evaluate(
        """() => {
            const map = window.dashboard.map;
            const props = (layer) =>
                map.queryRenderedFeatures({layers: [layer]}).map((f) => f.properties);
            return {routes: props('routes'), stops: props('stops'), positions: props('positions')};
        }"""
    )
    collectors = {r["collector_id"] for r in today["plan"]["routes"]}
    assert {f["collector_id"] for f in drawn["routes"]} == collectors
    assert {f["collector_id"] for f in drawn["positions"]} == collectors
    visited = {v["account_id"] for v in today["visits"]}
    outcomes = {f["account_id"]: f.get("outcome") for f in drawn["stops"]}
    assert {a for a, o in outcomes.items() if o == "nobody_home"} == visited


def test_refresh_answers_304_until_a_visit_changes_the_day(live_server, browser_page, today):
    """The 30 s refresh sends If-None-Match: unchanged, 304 and the same rows; after a new
    visit, 200 and that collector's count goes up."""
    log_in(browser_page, live_server.url)
    browser_page.wait_for_selector("#today .progress-row", timeout=30_000)
    before = _rows(browser_page)
    assert browser_page.evaluate("() => window.dashboard.today.refresh()") == 304
    route = today["plan"]["routes"][0]
    stop = route["stops"][1]
    visit_first_stops(
        live_server.url,
        {"routes": [{**route, "stops": [stop]}]},
        today["users"],
        COLLECTOR_PASSWORD,
        "refused",
        1,
    )
    assert browser_page.evaluate("() => window.dashboard.today.refresh()") == 200
    after = _rows(browser_page)
    cid = route["collector_id"]
    assert after[cid] == (before[cid][0] + 1, before[cid][1])
