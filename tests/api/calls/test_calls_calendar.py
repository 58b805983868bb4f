"""Calls ahead and the calendar over HTTP: a confirmed call becomes a time window, a
promise to pay online drops the stop, the calendar is validated and read back."""

from __future__ import annotations

import datetime as dt
import uuid

from core.planning import compute_plan
from core.planning.draft import PlanRequest
from tests.support.plans import build_day


def _call(client, token, account, day, outcome, **window):
    body = {
        "id": str(uuid.uuid4()),
        "account_id": account.id,
        "for_date": day.isoformat(),
        "outcome": outcome,
        "called_at": dt.datetime.now(dt.UTC).isoformat(),
        **window,
    }
    resp = client.post("/api/calls", json=body, headers=token)
    assert resp.status_code == 201, resp.json
    again = client.post("/api/calls", json=body, headers=token)
    assert again.status_code == 200 and again.json["status"] == "replayed"
    return body


def _plan(session, day):
    return compute_plan(session, PlanRequest(day.station.id, day.plan_date, time_limit=1))


def test_a_confirmed_call_becomes_a_time_window(factory, client, session):
    """"Home from 14:00 to 16:00" on the phone: the stop is planned inside that window,
    valued at the P(home) appointments earn; "will pay online" leaves the account out of
    the day with its reason; "refuses" lowers its P(pay)."""
    day = build_day(factory, per_side=3)
    me = factory.token(day.west, client)
    confirmed, online, refusing = day.accounts["west"]
    before = {s.account_id: s.explain for r in _plan(session, day).routes for s in r.stops}
    _call(client, me, confirmed, day.plan_date, "home_at", home_from="14:00", home_until="16:00")
    _call(client, me, online, day.plan_date, "pay_online")
    _call(client, me, refusing, day.plan_date, "refuses")
    draft = _plan(session, day)
    stops = {s.account_id: s for r in draft.routes for s in r.stops}
    stop = stops[confirmed.id]
    assert stop.explain["window"] == ["14:00", "16:00"] and stop.explain["call"] == "home_at"
    assert stop.explain["p_home"] == 0.9
    local = stop.eta.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert dt.time(14) <= local.time() <= dt.time(15, 50)
    assert online.id not in stops
    reasons = {u["account_id"]: u["reason"] for u in draft.summary["unassigned"]}
    assert reasons[online.id] == "call_pay_online"
    if refusing.id in stops:
        assert stops[refusing.id].explain["p_pay"] < before[refusing.id]["p_pay"]


def test_a_call_about_someone_elses_account_is_not_found_and_bad_windows_are_422(
    factory, client
):
    """Only the responsible collector records a call; a window is for home_at only and
    must end after it starts."""
    day = build_day(factory, per_side=1)
    east = factory.token(day.east, client)
    west = factory.token(day.west, client)
    body = {
        "id": str(uuid.uuid4()),
        "account_id": day.accounts["west"][0].id,
        "for_date": day.plan_date.isoformat(),
        "outcome": "home_at",
        "home_from": "14:00",
        "home_until": "16:00",
        "called_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    assert client.post("/api/calls", json=body, headers=east).status_code == 404
    bad = body | {"id": str(uuid.uuid4()), "home_until": "13:00"}
    resp = client.post("/api/calls", json=bad, headers=west)
    assert resp.status_code == 422 and "home_until" in resp.json["errors"]["json"]
    away = body | {"id": str(uuid.uuid4()), "outcome": "away"}
    resp = client.post("/api/calls", json=away, headers=west)
    assert resp.status_code == 422 and "home_from" in resp.json["errors"]["json"]


def test_the_calendar_is_set_whole_validated_and_read_back(factory, client):
    """PUT replaces the calendar; a period ending before it starts, an unknown village or
    a weekday 8 is refused with field errors and changes nothing."""
    day = build_day(factory, per_side=1)
    sup = factory.token(day.supervisor, client)
    village = day.accounts["west"][0].village
    url = f"/api/stations/{day.station.id}/calendar"
    good = {
        "periods": [
            {
                "kind": "festival",
                "name": "春节",
                "first_day": "2027-01-23",
                "last_day": "2027-02-16",
            }
        ],
        "market_days": [{"village": village, "weekdays": [3], "month_days": [3, 13, 23]}],
    }
    resp = client.put(url, json=good, headers=sup)
    assert resp.status_code == 200, resp.json
    assert client.get(url, headers=sup).json["market_days"] == good["market_days"]
    backwards = {
        "periods": [
            {
                "kind": "harvest",
                "name": "秋收",
                "first_day": "2026-10-08",
                "last_day": "2026-09-26",
            }
        ],
        "market_days": [{"village": "无此村", "weekdays": [2]}],
    }
    resp = client.put(url, json=backwards, headers=sup)
    assert resp.status_code == 422
    assert set(resp.json["errors"]["json"]) == {"periods", "market_days"}
    eighth = {"market_days": [{"village": village, "weekdays": [8]}]}
    resp = client.put(url, json=eighth, headers=sup)
    assert resp.status_code == 422
    assert client.get(url, headers=sup).json["periods"] == good["periods"]
