"""The Content-Security-Policy lets the app's own pages work (issue 16, item 4): the
collector's app with its maplibre map (blob: workers) and the API docs render in Chromium
with no CSP violation."""

from __future__ import annotations

from typing import Any

CATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def test_collector_app_and_its_map_run_under_the_csp(live_server, published_day, chromium):
    """Login, the stop list and the map (WebGL canvas, blob: workers): no violation."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 360, "height": 640})
    context.add_init_script(CATCH)
    messages: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: messages.append(m.text))
        resp = page.goto(f"{live_server.url}/app/")
        assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]
        page.wait_for_selector("body[data-ready=true]")
        page.fill("#username", published_day.collector)
        page.fill("#password", published_day.password)
        page.click("#login")
        page.wait_for_selector("#stops li", timeout=30_000)
        page.evaluate("location.hash = '#/map'")
        page.wait_for_selector(".maplibregl-canvas", timeout=20_000)
        page.wait_for_timeout(1500)  # let the map's workers start and draw
        violations: Any = page.evaluate("window.__csp")
        assert violations == [], violations
        assert not [m for m in messages if "Content Security Policy" in m], messages
    finally:
        context.close()


def test_api_docs_render_under_their_csp(live_server, browser_page):
    """Swagger UI (its inline bootstrap allowed on its page alone) renders, no violation."""
    browser_page.add_init_script(CATCH)
    browser_page.goto(f"{live_server.url}/api/docs")
    browser_page.wait_for_selector(".opblock", timeout=20_000)
    assert browser_page.evaluate("window.__csp") == []


def test_dashboard_and_its_tile_map_run_under_the_csp(live_server, browser_page):
    """The supervisor's dashboard logs in and draws its vector-tile map: no violation."""
    from tests.api.web.test_dashboard_page import log_in, painted

    browser_page.add_init_script(CATCH)
    log_in(browser_page, live_server.url)
    painted(browser_page)
    browser_page.wait_for_timeout(1000)
    assert browser_page.evaluate("window.__csp") == []
