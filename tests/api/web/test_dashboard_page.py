"""The supervisor's page in Chromium: log in, the map draws the station's accounts, and an
account's card shows what the API says it owes."""

from __future__ import annotations

import json
import math
import urllib.request
from typing import Any

import pytest

from tests.support.png import decode

SUPERVISOR = ("supervisor", "supervisor-demo")
#: The account layer's colours (web/dashboard/src/colors.js ARREARS_STEPS).
ACCOUNT_COLOURS = [
    (0x9A, 0xA3, 0x9A),
    (0xFD, 0xD4, 0x9E),
    (0xFC, 0x8D, 0x59),
    (0xE3, 0x4A, 0x33),
    (0xB3, 0x00, 0x00),
    (0x5C, 0x00, 0x00),
]


def api(base: str, path: str, token: str | None = None, body: Any = None) -> Any:
    """One JSON call to the live server."""
    req = urllib.request.Request(
        base + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)


def supervisor_token(base: str) -> str:
    user, password = SUPERVISOR
    return str(
        api(base, "/api/auth/login", body={"username": user, "password": password})["access_token"]
    )


def station_accounts(base: str, token: str) -> list[dict[str, Any]]:
    """Every account of the supervisor's station (GeoJSON features)."""
    station = api(base, "/api/auth/me", token)["stations"][0]["id"]
    out: list[dict[str, Any]] = []
    after = 0
    while True:
        page = api(
            base, f"/api/accounts.geojson?station_id={station}&limit=500&after={after}", token
        )
        out += page["features"]
        if len(page["features"]) < 500:
            return out
        after = page["features"][-1]["id"]


def log_in(page: Any, base: str) -> None:
    page.goto(f"{base}/dashboard/")
    page.fill("#login [name=username]", SUPERVISOR[0])
    page.fill("#login [name=password]", SUPERVISOR[1])
    page.click("#login button[type=submit]")
    page.wait_for_selector("body[data-ready=map]", timeout=60_000)


def on_screen(
    page: Any, accounts: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], float, float]]:
    """Accounts with their page pixel, kept only when no other account is within 12 px
    (so the pixel is that account's own dot)."""
    coords = [f["geometry"]["coordinates"] for f in accounts]
    points = page.evaluate(
        """(coords) => {
            const map = window.dashboard.map;
            const box = map.getContainer().getBoundingClientRect();
            return coords.map(([lon, lat]) => {
                const p = map.project([lon, lat]);
                return [box.left + p.x, box.top + p.y, box.left, box.top, box.right, box.bottom];
            });
        }""",
        coords,
    )
    out = []
    for i, (x, y, left, top, right, bottom) in enumerate(points):
        if not (left + 15 < x < right - 15 and top + 15 < y < bottom - 15):
            continue
        if all(j == i or math.hypot(x - p[0], y - p[1]) > 12 for j, p in enumerate(points)):
            out.append((accounts[i], x, y))
    return out


def painted(page: Any) -> None:
    """Wait until the map has drawn two more frames (Playwright's waits time out)."""
    page.evaluate(
        "() => { window.painted = false; requestAnimationFrame(() => "
        "requestAnimationFrame(() => { window.painted = true; })); }"
    )
    page.wait_for_function("() => window.painted && window.dashboard.map.loaded()")


def pixel(page: Any, x: float, y: float) -> tuple[int, int, int]:
    shot = page.screenshot(clip={"x": round(x) - 1, "y": round(y) - 1, "width": 3, "height": 3})
    return decode(shot).rgb(1, 1)


def is_account_colour(rgb: tuple[int, int, int]) -> bool:
    return any(sum(abs(a - b) for a, b in zip(rgb, c, strict=True)) <= 24 for c in ACCOUNT_COLOURS)


@pytest.fixture
def dashboard(live_server, browser_page):
    """The page, logged in as the demo supervisor, its map drawn."""
    errors: list[str] = []
    browser_page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(browser_page, live_server.url)
    yield browser_page
    assert errors == []


def test_the_map_draws_the_account_layer_where_the_accounts_are(live_server, dashboard):
    """After login each isolated demo account's pixel has an arrears colour, and hiding
    the account layer takes it away."""
    token = supervisor_token(live_server.url)
    for other in ("routes", "positions"):  # today's stops sit on their accounts
        dashboard.uncheck(f"#layers input[name={other}]")
    painted(dashboard)
    spots = on_screen(dashboard, station_accounts(live_server.url, token))[:25]
    assert len(spots) >= 10
    drawn = [pixel(dashboard, x, y) for _, x, y in spots]
    assert sum(map(is_account_colour, drawn)) >= 0.9 * len(spots), drawn
    dashboard.uncheck("#layers input[name=accounts]")
    painted(dashboard)
    hidden = [pixel(dashboard, x, y) for _, x, y in spots]
    assert sum(map(is_account_colour, hidden)) <= 0.2 * len(spots), hidden


def test_clicking_an_account_shows_its_amount_due_as_the_api_says(live_server, dashboard):
    """Click an owing account's dot: its card names it and shows the API's amount due."""
    token = supervisor_token(live_server.url)
    owing = [
        f
        for f in station_accounts(live_server.url, token)
        if float(f["properties"]["arrears"] or 0) > 0
    ]
    account, x, y = on_screen(dashboard, owing)[0]
    dashboard.mouse.click(x, y)
    card = dashboard.wait_for_selector("#card .card", timeout=20_000)
    assert card.get_attribute("data-account-id") == str(account["id"])
    shown = dashboard.get_attribute("#card .amount-due", "data-amount")
    due = api(live_server.url, f"/api/arrears/{account['id']}", token)
    assert shown == due["net"] and due["net"] != "0.00"
    assert dashboard.inner_text("#card .amount-due") == f"¥{due['net']}"
    assert account["properties"]["number"] in dashboard.inner_text("#card")


def test_a_reload_keeps_the_session_without_storing_the_token(live_server, dashboard):
    """Reloading logs in again from the refresh cookie; nothing is in localStorage."""
    dashboard.reload()
    dashboard.wait_for_selector("body[data-ready=map]", timeout=60_000)
    assert dashboard.evaluate("() => localStorage.length + sessionStorage.length") == 0
    assert "refresh_token_cookie" not in dashboard.evaluate("() => document.cookie")
