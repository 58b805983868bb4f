"""The interactive API docs render in a real browser, offline (no CDN)."""

from __future__ import annotations


def test_the_docs_page_renders_the_api_in_chromium(live_server, browser_page):
    """/api/docs draws Swagger UI from the app's own assets and lists the operations."""
    outside: list[str] = []
    browser_page.on(
        "request",
        lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url),
    )
    browser_page.goto(f"{live_server.url}/api/docs")
    browser_page.wait_for_selector(".opblock", timeout=20_000)
    assert "Arrears recovery API" in browser_page.inner_text(".info .title")
    assert browser_page.locator(".opblock").count() > 50
    assert [u for u in outside if not u.startswith("data:")] == []
