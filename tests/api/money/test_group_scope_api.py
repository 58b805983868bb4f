"""Group view and group payments filtered by station (issue 16, item 14): a group that
spans stations shows each station its own accounts, credit and payments; a supervisor of a
station without the group gets 404, never the group."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select

from core.models import Category, Role
from core.models.group_prepaid import GroupPayment

CODE = "SCOPE-GRP"


def _body(amount: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "amount": amount,
        "channel": "counter",
        "collected_at": "2026-04-09T10:00:00+08:00",
        "device_id": "hall-1",
    }


def _world(factory: Any, client: Any) -> dict[str, Any]:
    here, there, elsewhere = factory.station(), factory.station(), factory.station()
    kw = {"category": Category.GROUP_MEMBER, "group_code": CODE}
    mine = factory.account(here, **kw)
    far = factory.account(there, **kw)
    factory.bill(mine, dt.date(2026, 3, 1), "30.00", dt.date(2026, 4, 10))
    factory.bill(far, dt.date(2026, 3, 1), "70.00", dt.date(2026, 4, 10))

    def auth(station: Any) -> dict[str, str]:
        return factory.token(factory.user(Role.SUPERVISOR, station), client)

    return {
        "here": auth(here),
        "there": auth(there),
        "elsewhere": auth(elsewhere),
        "mine": mine,
        "far": far,
    }


def test_another_station_sees_none_of_this_stations_group_credit_or_payments(
    factory: Any, client: Any
) -> None:
    """Station A's payment leaves 470.00 credit: A sees it, B (same group code) sees 0.00."""
    w = _world(factory, client)
    paid = client.post(f"/api/groups/{CODE}/payments", json=_body("500.00"), headers=w["here"])
    assert paid.status_code == 201, paid.json
    assert paid.json["unallocated"] == "470.00"
    here = client.get(f"/api/groups/{CODE}?as_of=2026-04-09", headers=w["here"]).json
    assert (here["credit"], len(here["payments"])) == ("470.00", 1)
    there = client.get(f"/api/groups/{CODE}?as_of=2026-04-09", headers=w["there"])
    assert there.status_code == 200
    assert [a["account_id"] for a in there.json["accounts"]] == [w["far"].id]
    assert (there.json["credit"], there.json["payments"]) == ("0.00", [])
    assert paid.json["id"] not in there.get_data(as_text=True)


def test_a_supervisor_of_a_station_without_the_group_gets_404(
    factory: Any, client: Any, session: Any
) -> None:
    """Neither the view nor a payment reveals the group to a station that has none of it."""
    w = _world(factory, client)
    client.post(f"/api/groups/{CODE}/payments", json=_body("500.00"), headers=w["here"])
    view = client.get(f"/api/groups/{CODE}", headers=w["elsewhere"])
    assert view.status_code == 404 and view.mimetype == "application/problem+json"
    missing = client.get("/api/groups/NO-SUCH-GROUP", headers=w["elsewhere"])
    assert view.json["detail"] == missing.json["detail"]
    stmt = select(func.count()).select_from(GroupPayment).where(GroupPayment.group_code == CODE)
    before = session.scalar(stmt)
    pay = client.post(f"/api/groups/{CODE}/payments", json=_body("10.00"), headers=w["elsewhere"])
    assert pay.status_code == 404
    assert session.scalar(stmt) == before
