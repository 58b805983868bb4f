"""A plan for the station's current day starts each route from now (plus a lead), from
where the collector was last seen, and its check times the routes the same way."""

from __future__ import annotations

import datetime as dt
import uuid

from geoalchemy2.elements import WKTElement

from core.models import Outcome, Visit
from core.planning.runner import run_plan_job
from tests.support.plan_edit import body, stops_of
from tests.support.plans import FAST, TZ, build_day, local_today


def test_a_plan_for_today_starts_after_now_from_the_last_known_position(
    factory, client, app, session, rung
):
    """Planned at 13:28 for today: no stop before 13:43 (15 min lead); the collector seen at
    a door at 12:40 starts there, the other as usual (the depot); the check times it alike."""
    day = build_day(factory, per_side=4)
    today = local_today()
    now = dt.datetime.combine(today, dt.time(13, 28), TZ)
    session.add(
        Visit(
            id=uuid.uuid4(),
            account_id=day.accounts["west"][0].id,
            collector_id=day.west.id,
            outcome=Outcome.NOBODY_HOME,
            device_time=now - dt.timedelta(minutes=48),
            fix=WKTElement("POINT(110.29 34.16)", srid=4326),
        )
    )
    session.flush()
    sup = factory.token(day.supervisor, client)
    resp = client.post(
        f"/api/stations/{day.station.id}/plans",
        json={"date": today.isoformat(), "time_limit": 1},
        headers=sup,
    )
    assert resp.status_code == 202, resp.json
    sessions = app.extensions["db_sessionmaker"]
    assert run_plan_job(sessions, uuid.UUID(resp.json["id"]), FAST, now=now) == "done"
    plan_id = client.get(f"/api/jobs/{resp.json['id']}", headers=sup).json["result"]["plan_id"]
    plan = client.get(f"/api/plans/{plan_id}", headers=sup).json
    stops = [s for r in plan["routes"] for s in r["stops"]]
    assert stops
    earliest = now + dt.timedelta(minutes=15)
    assert all(dt.datetime.fromisoformat(s["eta"]) >= earliest for s in stops)
    routes = {r["collector_id"]: r for r in plan["routes"]}
    assert routes[day.west.id]["path"]["coordinates"][0] == [110.29, 34.16]
    assert routes[day.east.id]["path"]["coordinates"][0] == [110.30, 34.14]  # the depot
    start = plan["summary"]["same_day_start"]
    assert start[str(day.west.id)] == {"at": "13:43", "from": [110.29, 34.16]}
    edit = [body(day.west.id, stops_of(plan, day.west.id))]
    check = client.post(f"/api/plans/{plan_id}/check", json=edit, headers=sup).json
    west = next(r for r in check["routes"] if r["collector_id"] == day.west.id)
    assert dt.datetime.fromisoformat(west["leaves_at"]) == earliest
    assert check["feasible"] is True, check


def test_a_plan_for_tomorrow_keeps_the_whole_shift(factory, client, plan_day):
    """A plan for another day starts at the shift's start, from home or the depot."""
    day = build_day(factory, per_side=2)
    plan = plan_day(day, factory.token(day.supervisor, client), publish=False)
    assert "same_day_start" not in plan["summary"]
    first = min(dt.datetime.fromisoformat(s["eta"]) for r in plan["routes"] for s in r["stops"])
    assert first.astimezone(TZ).hour < 10
