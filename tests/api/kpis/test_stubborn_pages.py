"""/api/kpis/stubborn in pages: most owed first, ties by account, each page's histories."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.models import Outcome
from tests.support.kpi_ledger import build_ledger, on
from tests.support.supervisor_day import add_visit

QUERY = {"as_of": "2026-04-20"}


def test_stubborn_cases_come_in_pages_by_the_cursor(factory: Any, client: Any) -> None:
    """C and D owe 150.00 each, E 40.00, each refused twice: pages of two are C, D then
    E (no next cursor after it), each case with its own visits; a bad cursor is 422."""
    led = build_ledger(factory)
    s = factory.session
    extra = {}
    for name, amount in (("D", "150.00"), ("E", "40.00")):
        account = factory.account(led.station, led.east, village="西村")
        factory.bill(account, dt.date(2026, 3, 1), amount, dt.date(2026, 4, 10))
        add_visit(s, account, led.east, Outcome.REFUSED, on(4, 11))
        add_visit(s, account, led.east, Outcome.REFUSED, on(4, 13))
        extra[name] = account
    auth = factory.token(led.supervisor, client)
    url = "/api/kpis/stubborn"
    query = {**QUERY, "station_id": led.station.id, "limit": 2}

    first = client.get(url, query_string=query, headers=auth)
    assert first.status_code == 200, first.json
    c, d, e = led.accounts["C"], extra["D"], extra["E"]
    assert [(x["account_id"], x["owing"]) for x in first.json] == [
        (c.id, "150.00"), (d.id, "150.00"),
    ]  # fmt: skip
    assert [len(x["history"]) for x in first.json] == [4, 2]
    cursor = first.headers["X-Next-Cursor"]
    assert cursor == f"150.00,{d.id}"
    assert 'rel="next"' in first.headers["Link"]

    second = client.get(url, query_string={**query, "cursor": cursor}, headers=auth)
    assert second.status_code == 200, second.json
    assert [(x["account_id"], x["owing"], x["refusals"]) for x in second.json] == [
        (e.id, "40.00", 2)
    ]
    assert [v["outcome"] for v in second.json[0]["history"]] == ["refused", "refused"]
    assert "X-Next-Cursor" not in second.headers

    whole = client.get(url, query_string={**QUERY, "station_id": led.station.id}, headers=auth)
    assert [x["account_id"] for x in whole.json] == [c.id, d.id, e.id]
    assert "X-Next-Cursor" not in whole.headers

    for bad in ("150.00", "abc,1", "1e9,1", "NaN,1", "150.001,1"):
        resp = client.get(url, query_string={**query, "cursor": bad}, headers=auth)
        assert resp.status_code == 422, (bad, resp.json)
        assert "cursor" in resp.json["errors"]["query"]
