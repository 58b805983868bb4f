"""GET /api/visits and /api/visits.geojson over the worked day of tests/support/supervisor_day."""

from __future__ import annotations

from typing import Any

from core.models import Outcome, Role
from tests.support.supervisor_day import D, add_visit, at, build_supervisor_day

DAY = {"date_from": D.isoformat(), "date_to": D.isoformat()}


def _log(client: Any, auth: dict[str, str], path: str = "/api/visits", **query: Any) -> Any:
    return client.get(path, query_string={**DAY, **query}, headers=auth)


def test_supervisor_reads_the_day_newest_first_with_stops(factory: Any, client: Any) -> None:
    """Each visit with its stop of the published plan (none off the route) and fix check."""
    day = build_supervisor_day(factory)
    resp = _log(client, factory.token(day.supervisor, client))
    assert resp.status_code == 200, resp.json
    rows = resp.json
    names = {a.id: n for n, a in day.accounts.items()}
    assert [names[r["account_id"]] for r in rows] == ["off", "a2", "a1"]
    off, a2, a1 = rows
    assert off["stop"] is None and off["fix"] is None and off["distance_m"] is None
    assert a2["stop"]["seq"] == 2 and a2["stop"]["route_id"] == day.routes["west"].id
    assert a1["stop"]["stop_id"] == day.stops["a1"].id and a1["stop"]["plan_id"] == day.plan.id
    assert a1["outcome"] == "paid" and a1["local_date"] == "2026-04-09"
    # (110.2701, 34.1301) vs (110.27, 34.13): about 9.2 m east and 11.1 m north.
    assert 13 < a1["distance_m"] < 16 and not a1["flagged"]
    assert a1["flag_distance_m"] == 300
    assert a1["collector_id"] == day.west.id and a1["account_name"] == day.accounts["a1"].name


def test_a_fix_a_kilometre_away_is_flagged(factory: Any, client: Any) -> None:
    """A fix 0.009 degrees north of the account (about 998 m) is flagged; filter flagged=true."""
    day = build_supervisor_day(factory)
    add_visit(factory.session, day.accounts["e1"], day.east, Outcome.REFUSED, at(9, 35),
              (110.33, 34.159))  # fmt: skip
    rows = _log(client, factory.token(day.supervisor, client), flagged="true").json
    assert len(rows) == 1
    assert rows[0]["account_id"] == day.accounts["e1"].id and rows[0]["flagged"]
    assert 990 < rows[0]["distance_m"] < 1005


def test_the_flag_distance_is_the_station_s(factory: Any, client: Any) -> None:
    """With the station's distance at 10 m, the 14 m fix of a1 is flagged."""
    day = build_supervisor_day(factory)
    day.station.visit_flag_distance_m = 10
    factory.session.flush()
    rows = _log(client, factory.token(day.supervisor, client), flagged="true").json
    assert [r["account_id"] for r in rows] == [day.accounts["a2"].id, day.accounts["a1"].id]


def test_filters_narrow_the_log(factory: Any, client: Any) -> None:
    """Outcome, collector, route, village and dates each narrow the rows."""
    day = build_supervisor_day(factory)
    add_visit(factory.session, day.accounts["e1"], day.east, Outcome.NOBODY_HOME, at(9, 40))
    auth = factory.token(day.supervisor, client)
    ids = {n: a.id for n, a in day.accounts.items()}

    def accounts(**q: Any) -> list[int]:
        return [r["account_id"] for r in _log(client, auth, **q).json]

    assert accounts(outcome="nobody_home") == [ids["a2"], ids["e1"]]
    assert accounts(outcome=["paid", "refused"]) == [ids["off"], ids["a1"]]
    assert accounts(collector_id=day.east.id) == [ids["e1"]]
    assert accounts(route_id=day.routes["west"].id) == [ids["a2"], ids["a1"]]
    assert accounts(plan_id=day.plan.id, outcome="paid") == [ids["a1"]]
    assert accounts(account_id=ids["off"]) == [ids["off"]]
    assert accounts(village="别的村") == []
    assert accounts(date_from="2026-04-10", date_to="2026-04-11") == []


def test_collectors_see_their_own_visits_only(factory: Any, client: Any) -> None:
    """East sees their one visit; a supervisor of another station sees nothing."""
    day = build_supervisor_day(factory)
    add_visit(factory.session, day.accounts["e1"], day.east, Outcome.NOBODY_HOME, at(9, 40))
    rows = _log(client, factory.token(day.east, client)).json
    assert [r["collector_id"] for r in rows] == [day.east.id]
    other = factory.user(Role.SUPERVISOR, factory.station())
    assert _log(client, factory.token(other, client)).json == []


def test_pages_follow_the_cursor(factory: Any, client: Any) -> None:
    """limit=2 gives two rows and a cursor; the next page holds the third."""
    day = build_supervisor_day(factory)
    auth = factory.token(day.supervisor, client)
    first = _log(client, auth, limit=2)
    assert len(first.json) == 2
    cursor = first.headers["X-Next-Cursor"]
    second = _log(client, auth, limit=2, cursor=cursor)
    assert [r["account_id"] for r in second.json] == [day.accounts["a1"].id]
    assert "X-Next-Cursor" not in second.headers


def test_geojson_has_the_fixes(factory: Any, client: Any) -> None:
    """Features are the fixes as [lon, lat]; a visit without a fix has a null geometry."""
    day = build_supervisor_day(factory)
    body = _log(client, factory.token(day.supervisor, client), "/api/visits.geojson").json
    assert body["type"] == "FeatureCollection"
    geometries = [f["geometry"] for f in body["features"]]
    assert geometries == [
        None,
        {"type": "Point", "coordinates": [110.2802, 34.135]},
        {"type": "Point", "coordinates": [110.2701, 34.1301]},
    ]
    assert body["features"][2]["properties"]["stop"]["seq"] == 1


def test_bad_ranges_and_cursors_are_422(factory: Any, client: Any) -> None:
    """A reversed range, a range over 366 days and a forged cursor answer problem+json 422."""
    day = build_supervisor_day(factory)
    auth = factory.token(day.supervisor, client)
    for query in (
        {"date_from": "2026-04-10", "date_to": "2026-04-09"},
        {"date_from": "2025-01-01", "date_to": "2026-04-09"},
        {"cursor": "yesterday,abc"},
    ):
        resp = _log(client, auth, **query)
        assert resp.status_code == 422, query
        assert resp.mimetype == "application/problem+json"
