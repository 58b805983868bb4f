"""A collector's whole day over HTTP: plan job, published route and pack, offline uploads
with replays, re-plan, and what the supervisor then sees."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from core.models import Payment, Visit
from core.planning.runner import run_plan_job
from tests.support.plans import FAST, TZ, build_day, local_today


def test_collector_day_end_to_end(factory, client, app, session, plan_day):
    """Plan, publish, fetch route and pack, upload visits and cash twice (stored once),
    re-plan from here (the paid account drops out), and the supervisor sees all of it."""
    day = build_day(factory, per_side=4)
    day.plan_date = local_today()
    sup = factory.token(day.supervisor, client)
    plan = plan_day(day, sup)  # 202 + job, run, publish
    me, other = factory.token(day.west, client), factory.token(day.east, client)

    route = client.get(f"/api/me/route?date={day.plan_date}", headers=me)
    assert route.status_code == 200 and len(route.json["stops"]) >= 2
    pack = client.get(f"/api/me/route/pack?date={day.plan_date}&crs=gcj02", headers=me)
    assert pack.status_code == 200
    west_route = next(r for r in plan["routes"] if r["collector_id"] == day.west.id)
    assert client.get(f"/api/routes/{west_route['id']}", headers=other).status_code == 404

    first, second = (s["account"]["id"] for s in route.json["stops"][:2])
    now = dt.datetime.now(TZ).replace(microsecond=0)
    visits = {
        "items": [
            {
                "id": str(uuid.uuid4()),
                "account_id": first,
                "outcome": "nobody_home",
                "device_time": now.isoformat(),
            },
            {
                "id": str(uuid.uuid4()),
                "account_id": second,
                "outcome": "paid",
                "device_time": now.isoformat(),
            },
        ]
    }
    due = client.get(f"/api/arrears/{second}", headers=me).json
    cash = {
        "items": [
            {
                "id": str(uuid.uuid4()),
                "account_id": second,
                "amount": due["total"],
                "channel": "field_cash",
                "collected_at": now.isoformat(),
                "device_id": "phone-w",
            },
        ]
    }
    for attempt in range(2):  # the phone resends everything after a lost answer
        v = client.post("/api/visits/batch", json=visits, headers=me)
        p = client.post("/api/payments/batch", json=cash, headers=me)
        assert v.status_code == 200 and p.status_code == 200, (v.json, p.json)
        expect = "created" if attempt == 0 else "replayed"
        assert [r["status"] for r in v.json["items"]] == [expect, expect]
    ids = [uuid.UUID(i["id"]) for i in visits["items"]]
    assert session.scalar(select(func.count()).select_from(Visit).where(Visit.id.in_(ids))) == 2
    pid = uuid.UUID(cash["items"][0]["id"])
    assert session.scalar(select(func.count()).select_from(Payment).where(Payment.id == pid)) == 1

    resp = client.post(
        "/api/me/route/replan",
        json={"lon": 110.285, "lat": 34.135, "date": day.plan_date.isoformat(), "time_limit": 1},
        headers=me,
    )
    assert resp.status_code == 202, resp.json
    ten_am = dt.datetime.combine(day.plan_date, dt.time(10), TZ)
    assert (
        run_plan_job(
            app.extensions["db_sessionmaker"], uuid.UUID(resp.json["id"]), FAST, now=ten_am
        )
        == "done"
    )
    after = client.get(f"/api/me/route?date={day.plan_date}", headers=me).json
    assert after["plan_id"] != plan["id"]
    # Both visited accounts stay at the head as done (locked) stops; nothing is planned twice.
    head = after["stops"][:2]
    assert {s["account"]["id"] for s in head} == {first, second}
    assert all(s["locked"] for s in head)
    accounts = [s["account"]["id"] for s in after["stops"]]
    assert len(accounts) == len(set(accounts))
    paid_stop = next(s for s in head if s["account"]["id"] == second)
    assert paid_stop["settled"] is True

    seen = client.get(f"/api/plans/{after['plan_id']}", headers=sup)
    assert seen.status_code == 200 and seen.json["status"] == "published"
    in_hand = client.get(f"/api/cash/collectors/{day.west.id}", headers=sup)
    assert in_hand.status_code == 200, in_hand.json
    assert due["total"] in str(in_hand.json)
