"""The supervisor's page draws the imported road network (the ``roads`` vector tiles) as
the bottom of its base map, switchable and in the legend."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.api.web.test_dashboard_page import log_in, painted
from tests.support.png import decode

#: web/dashboard/src/colors.js ROAD_COLORS.major, the town and village roads.
MAJOR = (0x8D, 0x6E, 0x4A)
OTHER_LAYERS = ("territories", "villages", "accounts", "routes", "positions")


@pytest.fixture
def road_network(live_server) -> Iterator[None]:
    """The demo's generated road network in the live database, dropped afterwards (the
    other browser tests plan on straight lines)."""
    from core.db import make_engine
    from demo.roads import generate_roads

    engine = make_engine(live_server.database_url, statement_timeout_ms=0, role=None)
    try:
        with Session(engine) as session:
            generate_roads(session)
            session.commit()
        yield
    finally:
        with Session(engine) as session:
            session.execute(text("DROP SCHEMA IF EXISTS roads CASCADE"))
            session.commit()
        engine.dispose()


def _road_midpoints(url: str) -> list[tuple[float, float]]:
    from core.db import make_engine

    engine = make_engine(url, statement_timeout_ms=0, role=None)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_LineInterpolatePoint(the_geom, 0.5) p"
                    " FROM roads.ways WHERE tag_id IN (108, 109) AND ST_Length(the_geom) > 0.002"
                    " ORDER BY gid) m"
                )
            )
            return [(float(x), float(y)) for x, y in rows]
    finally:
        engine.dispose()


def _near(rgb: tuple[int, int, int], colour: tuple[int, int, int]) -> bool:
    return sum(abs(a - b) for a, b in zip(rgb, colour, strict=True)) <= 30


def _road_drawn_at(page: Any, x: float, y: float) -> bool:
    """Whether a pixel of the 5x5 square around (x, y) has the major roads' colour."""
    shot = decode(
        page.screenshot(clip={"x": round(x) - 2, "y": round(y) - 2, "width": 5, "height": 5})
    )
    return any(_near(shot.rgb(i, j), MAJOR) for i in range(5) for j in range(5))


def _on_screen(page: Any, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    spots = page.evaluate(
        """(points) => {
            const map = window.dashboard.map;
            const box = map.getContainer().getBoundingClientRect();
            return points.map(([lon, lat]) => {
                const p = map.project([lon, lat]);
                return [box.left + p.x, box.top + p.y, box.left, box.top, box.right, box.bottom];
            });
        }""",
        points,
    )
    return [
        (x, y)
        for x, y, left, top, right, bottom in spots
        if left + 10 < x < right - 10 and top + 10 < y < bottom - 10
    ]


def test_the_road_network_is_drawn_under_the_station_and_can_be_switched_off(
    live_server, road_network, browser_page
):
    """With the other layers off, the midpoints of the demo's village roads are painted
    in the road colour; the legend names the roads; switching roads off removes them."""
    page = browser_page
    log_in(page, live_server.url)
    for other in OTHER_LAYERS:
        page.uncheck(f"#layers input[name={other}]")
    page.wait_for_function(
        "() => window.dashboard.map.querySourceFeatures('roads', {sourceLayer: 'roads'}).length",
        timeout=30_000,
    )
    painted(page)
    spots = _on_screen(page, _road_midpoints(live_server.database_url))[:20]
    assert len(spots) >= 5, spots
    drawn = [_road_drawn_at(page, x, y) for x, y in spots]
    assert sum(drawn) >= 0.8 * len(spots), drawn
    assert "道路" in page.inner_text("#legend") and page.is_checked("#layers input[name=roads]")
    page.uncheck("#layers input[name=roads]")
    painted(page)
    assert not any(_road_drawn_at(page, x, y) for x, y in spots)
