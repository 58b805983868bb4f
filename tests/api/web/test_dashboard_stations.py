"""The supervisor's page for an admin: a station switch in the header lists the county's
stations, and choosing one shows that station (its name, its KPIs)."""

from __future__ import annotations

from tests.support.live_plans import call, token

ADMIN = ("admin", "admin-demo")


def test_an_admin_switches_the_page_to_another_station(live_server, browser_page):
    """The switch offers /api/stations; choosing the second station reloads the page on it:
    the header names it and the owing figure is that station's /api/kpis/month-end; the
    day's tiles (routes, stops, positions) ask for that station only."""
    base, page = live_server.url, browser_page
    admin = token(base, *ADMIN)
    stations = call(base, "/api/stations", admin)
    assert len(stations) >= 2
    page.goto(f"{base}/dashboard/")
    page.fill("#login [name=username]", ADMIN[0])
    page.fill("#login [name=password]", ADMIN[1])
    page.click("#login button[type=submit]")
    page.wait_for_selector("body[data-ready=map]", timeout=60_000)
    options = page.eval_on_selector_all(
        "#station-select option", "os => os.map(o => [Number(o.value), o.textContent])"
    )
    assert options == [[s["id"], s["name"]] for s in stations]
    assert page.is_visible("#station-select") and stations[0]["name"] in page.inner_text("#who")

    other = stations[1]
    with page.expect_navigation(timeout=60_000):
        page.select_option("#station-select", str(other["id"]))
    page.wait_for_selector("body[data-ready=map]", timeout=60_000)
    page.wait_for_selector("#kpis [data-kpi=owing]", timeout=30_000)
    assert other["name"] in page.inner_text("#who")
    assert page.input_value("#station-select") == str(other["id"])
    month_end = call(base, f"/api/kpis/month-end?station_id={other['id']}", admin)
    assert page.get_attribute("#kpis [data-kpi=owing]", "data-value") == month_end["owing"]
    day_tiles = page.evaluate(
        "() => ['routes', 'stops', 'positions'].map("
        "(l) => window.dashboard.map.getSource(`day-${l}`).tiles[0])"
    )
    assert all(t.endswith(f".mvt?station_id={other['id']}") for t in day_tiles), day_tiles
