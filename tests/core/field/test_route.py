"""The collector's phone API: my published route, ETag, and nobody else's route."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from core.models import Channel, EntryKind, Payment, PaymentAllocation
from core.models.ledger_extra import LateFeeRate
from core.money import amount_due
from tests.support.plans import build_day, pay_in_full


def test_collector_gets_todays_published_route_with_money_and_geometry(factory, client, plan_day):
    """GET /api/me/route lists ordered stops with amount due, history, explain and a LineString."""
    day = build_day(factory)
    plan_day(day, factory.token(day.supervisor, client))
    headers = factory.token(day.west, client)
    resp = client.get(f"/api/me/route?date={day.plan_date}", headers=headers)
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert body["collector_id"] == day.west.id
    assert [s["seq"] for s in body["stops"]] == list(range(1, len(body["stops"]) + 1))
    assert {s["account"]["id"] for s in body["stops"]} == {a.id for a in day.accounts["west"]}
    first = body["stops"][0]
    assert first["account"]["name"] and first["account"]["phone"] == "13800000000"
    due = first["amount_due"]
    assert float(due["total"]) == float(due["principal"]) + float(due["late_fee"]) > 0
    assert isinstance(due["total"], str) and first["settled"] is False
    assert first["history"]["escalation_stage"] in {"visit", "repeated_visit"}
    assert {"p_pay", "p_home", "overdue_when_planned", "prize_fen"} <= set(first["explain"])
    geom = body["geometry"]
    assert geom["type"] == "LineString" and len(geom["coordinates"]) == len(body["stops"]) + 2
    lon, lat = geom["coordinates"][1]
    assert 110 < lon < 111 and 34 < lat < 35


def test_route_etag_answers_304_when_unchanged(factory, client, plan_day):
    """If-None-Match with the route's ETag answers 304 without a body."""
    day = build_day(factory, per_side=2)
    plan_day(day, factory.token(day.supervisor, client))
    headers = factory.token(day.east, client)
    url = f"/api/me/route?date={day.plan_date}"
    first = client.get(url, headers=headers)
    etag = first.headers["ETag"]
    again = client.get(url, headers=headers | {"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_collector_gets_404_for_another_collectors_route(factory, client, plan_day):
    """A collector cannot read another collector's route: 404, like a missing one."""
    day = build_day(factory, per_side=2)
    plan = plan_day(day, factory.token(day.supervisor, client))
    west_route = next(r for r in plan["routes"] if r["collector_id"] == day.west.id)
    east = factory.token(day.east, client)
    resp = client.get(f"/api/routes/{west_route['id']}", headers=east)
    assert resp.status_code == 404
    assert resp.json["detail"] == client.get("/api/routes/999999999", headers=east).json["detail"]
    west = factory.token(day.west, client)
    assert client.get(f"/api/routes/{west_route['id']}", headers=west).status_code == 200


def test_draft_plans_are_invisible_to_collectors(factory, client, plan_day):
    """Until the plan is published the collector has no route for the day (404)."""
    day = build_day(factory, per_side=1)
    plan = plan_day(day, factory.token(day.supervisor, client), publish=False)
    headers = factory.token(day.west, client)
    assert client.get(f"/api/me/route?date={day.plan_date}", headers=headers).status_code == 404
    route_id = plan["routes"][0]["id"]
    assert client.get(f"/api/routes/{route_id}", headers=headers).status_code == 404
    assert client.get(f"/api/plans/{plan['id']}", headers=headers).status_code == 403


def test_a_stop_paid_through_any_channel_shows_settled_and_changes_the_etag(
    factory, client, session, plan_day
):
    """After a counter payment the stop is flagged settled, owes 0.00, and the ETag moves."""
    day = build_day(factory, per_side=2)
    plan_day(day, factory.token(day.supervisor, client))
    headers = factory.token(day.west, client)
    url = f"/api/me/route?date={day.plan_date}"
    before = client.get(url, headers=headers)
    first = before.json["stops"][0]
    account = next(a for a in day.accounts["west"] if a.id == first["account"]["id"])
    pay_in_full(session, account)
    after = client.get(url, headers=headers | {"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    stop = next(s for s in after.json["stops"] if s["account"]["id"] == account.id)
    assert stop["settled"] is True and stop["amount_due"]["principal"] == "0.00"


def test_route_and_pack_amounts_are_amount_due_of_each_stop(factory, client, session, plan_day):
    """The route and the offline pack read every stop's amount due in one set-based query:
    each equals ``amount_due`` to the fen (late fees across a rate change, a part paid
    with its fee, an unallocated overpayment as credit)."""
    day = build_day(factory, per_side=3)
    session.add(
        LateFeeRate(
            station_id=day.station.id,
            effective_from=day.plan_date - dt.timedelta(days=10),
            residential=Decimal("0.002"),
            other_current_year=Decimal("0.002"),
            other_earlier_years=Decimal("0.003"),
            minimum=Decimal("1.00"),
        )
    )
    account = day.accounts["west"][1]
    bill = account.bills[0]
    pid = uuid.uuid4()
    session.add(
        Payment(
            id=pid,
            kind=EntryKind.PAYMENT,
            account_id=account.id,
            amount=Decimal("60.00"),
            channel=Channel.COUNTER,
            collected_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=20),
        )
    )
    session.flush()
    session.add(
        PaymentAllocation(
            payment_id=pid, bill_id=bill.id, principal=Decimal("40.00"), late_fee=Decimal("1.00")
        )
    )
    session.flush()
    plan_day(day, factory.token(day.supervisor, client))
    headers = factory.token(day.west, client)
    route = client.get(f"/api/me/route?date={day.plan_date}", headers=headers).json
    pack = client.get(f"/api/me/route/pack?date={day.plan_date}", headers=headers).json
    as_of = dt.date.fromisoformat(route["as_of"])

    def money(x):
        return f"{x:.2f}"

    assert [s["account"]["id"] for s in pack["stops"]] == [
        s["account"]["id"] for s in route["stops"]
    ]
    for stop, packed in zip(route["stops"], pack["stops"], strict=True):
        want = amount_due(session, stop["account"]["id"], as_of)
        got = stop["amount_due"]
        assert (got["principal"], got["late_fee"], got["total"]) == (
            money(want.principal),
            money(want.late_fee),
            money(want.total),
        )
        assert stop["history"]["escalation_stage"] == want.stage.value
        assert stop["history"]["oldest_days_overdue"] == want.oldest_days_overdue
        got = packed["amount_due"]
        assert (got["total"], got["credit"], got["net"]) == tuple(
            money(x) for x in (want.total, want.credit, want.net)
        )
        assert [(b["bill_id"], b["late_fee"]) for b in got["bills"]] == [
            (b.bill_id, money(b.late_fee)) for b in want.bills
        ]
    paid = amount_due(session, account.id, as_of)
    assert paid.late_fee > 0 and paid.credit == Decimal("19.00")
    assert account.id in {s["account"]["id"] for s in route["stops"]}


def test_the_stop_names_the_planned_and_the_current_amounts_apart(factory, client, plan_day):
    """explain carries the overdue amount the plan was valued on (and its day); amount_due
    is what the account owes as of today: two names, two meanings."""
    day = build_day(factory, per_side=2)
    plan_day(day, factory.token(day.supervisor, client))
    resp = client.get(
        f"/api/me/route?date={day.plan_date}", headers=factory.token(day.west, client)
    )
    stop = resp.json["stops"][0]
    explain = stop["explain"]
    assert "amount_due" not in explain
    assert explain["valued_on"] == day.plan_date.isoformat()
    assert Decimal(explain["overdue_when_planned"]) > 0
    assert "overdue_when_planned" in explain["formula"]
    assert stop["amount_due"]["as_of"] == resp.json["as_of"]


def test_route_times_are_utc_with_the_station_local_time_alongside(factory, client, plan_day):
    """Stop times are UTC; each also comes in station-local time, and the zone is named."""
    day = build_day(factory, per_side=2)
    plan = plan_day(day, factory.token(day.supervisor, client))
    assert plan["timezone"] == "Asia/Shanghai"
    planned = plan["routes"][0]["stops"][0]
    assert planned["eta"].endswith("+00:00") and planned["eta_local"].endswith("+08:00")
    body = client.get(
        f"/api/me/route?date={day.plan_date}", headers=factory.token(day.west, client)
    ).json
    assert body["timezone"] == "Asia/Shanghai"
    for stop in body["stops"]:
        utc = dt.datetime.fromisoformat(stop["eta"])
        local = dt.datetime.fromisoformat(stop["eta_local"])
        assert utc.utcoffset() == dt.timedelta(0) and local.utcoffset() == dt.timedelta(hours=8)
        assert utc == local and 8 <= local.hour < 18
        assert dt.datetime.fromisoformat(stop["departure_local"]) > local
