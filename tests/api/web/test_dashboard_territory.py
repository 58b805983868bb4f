"""The supervisor's page, territory edit: drag a boundary vertex with the mouse, see the
overlaps and the accounts changing hands as the API's preview gives them, then save."""

from __future__ import annotations

import math
from typing import Any

from tests.api.web.test_dashboard_page import log_in, station_accounts
from tests.support.live_plans import call, token


def _pixels(page: Any, coords: list[list[float]]) -> list[list[float]]:
    return page.evaluate(
        """(coords) => {
            const map = window.dashboard.map;
            const box = map.getContainer().getBoundingClientRect();
            return coords.map((c) => {
                const p = map.project(c);
                return [box.left + p.x, box.top + p.y];
            });
        }""",
        coords,
    )


def test_drag_a_vertex_preview_the_hand_overs_and_save(live_server, browser_page):
    """Dragging a vertex inwards past one of the territory's accounts previews that account
    leaving it (as POST /preview says for the same area); saving stores the new boundary and
    moves the account."""
    base, page = live_server.url, browser_page
    sup = token(base, "supervisor", "supervisor-demo")
    station = call(base, "/api/auth/me", sup)["stations"][0]["id"]
    territories = call(base, f"/api/territories.geojson?station_id={station}", sup)["features"]
    accounts = station_accounts(base, sup)
    log_in(page, base)
    page.click("#tabs button[data-mode=territory]")

    # The territory's own account closest to one of its vertices: drag the vertex inwards
    # across it, so that the account ends up outside.
    best = None
    for t in territories:
        for p, poly in enumerate(t["geometry"]["coordinates"]):
            for v, (x, y) in enumerate(poly[0][:-1]):
                for a in accounts:
                    if a["properties"]["territory_id"] != t["id"]:
                        continue
                    ax, ay = a["geometry"]["coordinates"]
                    d = math.hypot(ax - x, ay - y)
                    if best is None or d < best[0]:
                        best = (d, t["id"], p, v, a)
    assert best is not None
    _, tid, p, v, account = best
    page.select_option("#territory-select", str(tid))
    page.wait_for_function("() => window.dashboard.territoryEdit.area() !== null")
    vertex = page.evaluate(f"() => window.dashboard.territoryEdit.area().coordinates[{p}][0][{v}]")
    (vx, vy), (ax, ay) = _pixels(page, [vertex, account["geometry"]["coordinates"]])
    page.mouse.move(vx, vy)
    page.mouse.down()
    page.mouse.move((vx + ax) / 2, (vy + ay) / 2, steps=5)
    page.mouse.move(ax + (ax - vx), ay + (ay - vy), steps=5)
    page.mouse.up()
    page.wait_for_selector("#territory-report[data-previews='1']", timeout=30_000)
    area = page.evaluate("() => window.dashboard.territoryEdit.area()")
    assert area["coordinates"][p][0][v] != vertex  # the mouse moved the vertex
    api = call(base, f"/api/territories/{tid}/preview", sup, {"area": area})
    assert page.get_attribute("#territory-report", "data-overlaps") == str(len(api["overlaps"]))
    assert page.get_attribute("#territory-report", "data-changes") == str(len(api["changes"]))
    shown = {
        int(li.get_attribute("data-account-id"))
        for li in page.query_selector_all("#territory-report .changes li")
    }
    assert shown == {c["account_id"] for c in api["changes"]}
    assert account["id"] in shown

    page.click("#territory-save")
    page.wait_for_selector(f"#territory-status[data-saved='{tid}']", timeout=30_000)
    saved = call(base, f"/api/territories/{tid}", sup)
    assert saved["area"]["coordinates"][p][0][v] == area["coordinates"][p][0][v]
    assert call(base, f"/api/accounts/{account['id']}", sup)["territory_id"] != tid


def test_add_a_vertex_from_an_edge_remove_one_and_save(live_server, browser_page):
    """Dragging the handle in the middle of an edge adds a vertex there (previewed); a
    right click on a vertex removes it (previewed again); saving stores the ring with the
    added vertex."""
    base, page = live_server.url, browser_page
    sup = token(base, "supervisor", "supervisor-demo")
    station = call(base, "/api/auth/me", sup)["stations"][0]["id"]
    territories = call(base, f"/api/territories.geojson?station_id={station}", sup)["features"]
    tid = max(territories, key=lambda t: t["id"])["id"]  # not the one the drag test edits
    log_in(page, base)
    page.click("#tabs button[data-mode=territory]")
    page.select_option("#territory-select", str(tid))
    page.wait_for_function("() => window.dashboard.territoryEdit.area() !== null")
    ring = page.evaluate("() => window.dashboard.territoryEdit.area().coordinates[0][0]")
    a, b = ring[0], ring[1]
    page.evaluate(
        "([a, b]) => window.dashboard.map.fitBounds([a, b], {padding: 80, duration: 0})", [a, b]
    )
    page.wait_for_function("() => !window.dashboard.map.isMoving()")
    (mx, my), = _pixels(page, [[(a[0] + b[0]) / 2, (a[1] + b[1]) / 2]])
    page.mouse.move(mx, my)
    page.mouse.down()
    page.mouse.move(mx + 20, my + 25, steps=5)
    page.mouse.up()
    page.wait_for_selector("#territory-report[data-previews='1']", timeout=30_000)
    added = page.evaluate("() => window.dashboard.territoryEdit.area().coordinates[0][0]")
    assert len(added) == len(ring) + 1
    assert added[0] == a and added[2] == b and added[1] not in (a, b)
    assert added[-1] == added[0]

    (vx, vy), = _pixels(page, [added[2]])
    page.mouse.click(vx, vy, button="right")
    page.wait_for_selector("#territory-report[data-previews='2']", timeout=30_000)
    fewer = page.evaluate("() => window.dashboard.territoryEdit.area().coordinates[0][0]")
    assert fewer == added[:2] + added[3:]

    page.click("#territory-save")
    page.wait_for_selector(f"#territory-status[data-saved='{tid}']", timeout=30_000)
    saved = call(base, f"/api/territories/{tid}", sup)["area"]["coordinates"][0][0]
    assert len(saved) == len(ring) and [round(c, 6) for c in saved[1]] == fewer[1]
