"""GET /api/stations/{id}/progress against the worked day of tests/support/supervisor_day.py."""

from __future__ import annotations

from typing import Any

from core.models import Outcome, Role
from tests.support.scans import captured
from tests.support.supervisor_day import D, add_visit, at, build_supervisor_day


def _get(client: Any, station_id: int, auth: dict[str, str], **headers: str) -> Any:
    return client.get(
        f"/api/stations/{station_id}/progress",
        query_string={"date": D.isoformat()},
        headers={**auth, **headers},
    )


def test_supervisor_sees_each_route_worked_by_hand(factory: Any, client: Any) -> None:
    """Stops done/left, outcomes, money by channel, last position and delay as worked out."""
    day = build_supervisor_day(factory)
    resp = _get(client, day.station.id, factory.token(day.supervisor, client))
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert body["plan_id"] == day.plan.id and body["date"] == "2026-04-09"
    west, east = sorted(body["routes"], key=lambda r: r["collector_id"] != day.west.id)
    assert (west["stops_total"], west["stops_done"], west["stops_left"]) == (3, 2, 1)
    assert west["outcomes"] == {"nobody_home": 1, "paid": 1}
    # a1: 50.00 cash (the 20.00 counter payment was reversed); a3: 30.00 alipay; a2's
    # wechat payment was the day before.
    assert west["collected"] == {"alipay": "30.00", "field_cash": "50.00"}
    assert west["collected_total"] == "80.00"
    assert west["left_paid_elsewhere"] == 1  # a3 paid online, not visited
    assert west["left_overdue"] == 1  # a3's 11:00 has passed
    assert west["off_plan_visits"] == 1
    # The latest done stop: a2 visited 10:20, planned for 10:00 -> 20 minutes behind.
    assert west["delay_seconds"] == 1200
    # The re-plan request at 10:50 is later than the last fix (10:20).
    assert west["last_position"] == {
        "lon": 110.285,
        "lat": 34.138,
        "at": "2026-04-09T02:50:00+00:00",
        "source": "replan",
    }
    assert west["next_eta"] == "2026-04-09T03:00:00+00:00"
    assert [(s["seq"], s["done"], s["outcome"], s["paid_today"]) for s in west["stops"]] == [
        (1, True, "paid", True),
        (2, True, "nobody_home", False),
        (3, False, None, True),
    ]
    assert (east["stops_done"], east["stops_left"], east["collected_total"]) == (0, 1, "0.00")
    assert east["delay_seconds"] is None and east["last_position"] is None


def test_last_position_is_the_latest_fix_when_no_replan_follows(factory: Any, client: Any) -> None:
    """A visit fix later than the re-plan request becomes the last known position."""
    day = build_supervisor_day(factory)
    add_visit(
        factory.session, day.accounts["a3"], day.west, Outcome.PROMISE, at(11, 5),
        (110.2903, 34.1402), promise=D,
    )  # fmt: skip
    body = _get(client, day.station.id, factory.token(day.supervisor, client)).json
    west = next(r for r in body["routes"] if r["collector_id"] == day.west.id)
    assert west["last_position"]["source"] == "visit"
    assert west["last_position"]["lon"] == 110.2903
    assert west["delay_seconds"] == 300  # a3 at 11:05, planned 11:00
    assert (west["stops_done"], west["stops_left"], west["left_overdue"]) == (3, 0, 0)


def test_collector_sees_only_their_own_route(factory: Any, client: Any) -> None:
    """A collector's answer holds their route alone."""
    day = build_supervisor_day(factory)
    body = _get(client, day.station.id, factory.token(day.east, client)).json
    assert [r["collector_id"] for r in body["routes"]] == [day.east.id]


def test_another_station_is_not_found(factory: Any, client: Any) -> None:
    """A supervisor of another station gets 404 problem+json."""
    day = build_supervisor_day(factory)
    other = factory.user(Role.SUPERVISOR, factory.station())
    resp = _get(client, day.station.id, factory.token(other, client))
    assert resp.status_code == 404
    assert resp.mimetype == "application/problem+json"


def test_unchanged_progress_answers_304_and_a_new_visit_changes_it(
    factory: Any, client: Any
) -> None:
    """If-None-Match with the ETag gives 304 until something happens on the routes."""
    day = build_supervisor_day(factory)
    auth = factory.token(day.supervisor, client)
    etag = _get(client, day.station.id, auth).headers["ETag"]
    assert _get(client, day.station.id, auth, **{"If-None-Match": etag}).status_code == 304
    add_visit(factory.session, day.accounts["e1"], day.east, Outcome.REFUSED, at(9, 40))
    resp = _get(client, day.station.id, auth, **{"If-None-Match": etag})
    assert resp.status_code == 200
    east = next(r for r in resp.json["routes"] if r["collector_id"] == day.east.id)
    assert east["outcomes"] == {"refused": 1} and east["delay_seconds"] == 600


def test_a_day_without_published_plan_is_empty(factory: Any, client: Any) -> None:
    """No published plan: plan_id null and no routes (the dashboard keeps polling)."""
    day = build_supervisor_day(factory)
    resp = client.get(
        f"/api/stations/{day.station.id}/progress",
        query_string={"date": "2026-04-10"},
        headers=factory.token(day.supervisor, client),
    )
    assert resp.status_code == 200
    assert resp.json["plan_id"] is None and resp.json["routes"] == []


def test_a_poll_without_the_etag_gets_the_stored_body(
    factory: Any, client: Any, connection: Any
) -> None:
    """Unchanged, a poll without If-None-Match gets the same bytes without the answer
    being built again (only the token, the day and the digest are read); a visit moves it."""
    day = build_supervisor_day(factory)
    auth = factory.token(day.supervisor, client)
    with captured(connection) as built:
        first = _get(client, day.station.id, auth)
    with captured(connection) as stored:
        again = _get(client, day.station.id, auth)
    assert again.status_code == 200 and again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len(stored) <= 4 < len(built), [s[:60] for s, _ in stored]
    add_visit(factory.session, day.accounts["e1"], day.east, Outcome.REFUSED, at(9, 40))
    moved = _get(client, day.station.id, auth)
    assert moved.headers["ETag"] != first.headers["ETag"]
    east = next(r for r in moved.json["routes"] if r["collector_id"] == day.east.id)
    assert east["outcomes"] == {"refused": 1}
