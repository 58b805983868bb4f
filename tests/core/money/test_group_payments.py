"""Group customers (集团客户): one payment spread over many accounts, exactly once."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from core.models import Category, Channel, Payment, Role
from core.models.group_prepaid import GroupPayment, GroupPaymentPart
from core.models.ledger_extra import MoneyAudit, MoneyException
from core.money import amount_due
from core.money.group import part_payment_id
from core.money.group_prepaid_checks import check_group_prepaid
from core.money.invariants import check_ledger
from core.money.payments import channel_payment_id
from tests.support.money import signed_notice

D = Decimal
DAY = dt.date(2026, 4, 9)
COLLECTED = "2026-04-09T10:00:00+08:00"
CODE = "CMCC-LN"


@dataclass
class Group:
    station: Any
    other_station: Any
    supervisor: Any
    auth: dict[str, str]
    a1: Any
    a2: Any
    a3: Any
    far: Any
    bills: dict[str, Any]


@pytest.fixture
def group(factory: Any, client: Any) -> Group:
    station = factory.station()
    other = factory.station()
    supervisor = factory.user(Role.SUPERVISOR, station)
    kw = {"category": Category.GROUP_MEMBER, "group_code": CODE}
    a1 = factory.account(station, **kw)
    a2 = factory.account(station, **kw)
    a3 = factory.account(station, **kw)
    far = factory.account(other, **kw)  # the same group at another station
    bills = {
        "a1_feb": factory.bill(a1, dt.date(2026, 2, 1), "100.00", dt.date(2026, 3, 10)),
        "a1_mar": factory.bill(a1, dt.date(2026, 3, 1), "30.00", dt.date(2026, 4, 10)),
        "a2_jan": factory.bill(a2, dt.date(2026, 1, 1), "50.00", dt.date(2026, 2, 10)),
        "a3_mar": factory.bill(a3, dt.date(2026, 3, 1), "80.00", dt.date(2026, 4, 10)),
        "far_jan": factory.bill(far, dt.date(2026, 1, 1), "70.00", dt.date(2026, 2, 10)),
    }
    return Group(
        station, other, supervisor, factory.token(supervisor, client), a1, a2, a3, far, bills
    )


def _body(amount: str, **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "amount": amount,
        "channel": "counter",
        "collected_at": COLLECTED,
        "device_id": "hall-1",
    }
    body.update(kw)
    return body


def _due(session: Any, account: Any) -> Decimal:
    return amount_due(session, account.id, DAY).total


def _count(session: Any, model: Any, *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)))


def _invariants_hold(session: Any, group: Group) -> None:
    assert check_ledger(session, [group.station.id, group.other_station.id]) == {}
    assert check_group_prepaid(session) == {}


def test_group_payment_spreads_oldest_first_and_each_amount_due_drops(
    client: Any, session: Any, group: Group
) -> None:
    """Oldest bills across the group are paid first and every account's amount due drops at once."""
    jan = _due(session, group.a2)
    feb = amount_due(session, group.a1.id, DAY).bills[0].total
    a3_before = _due(session, group.a3)
    amount = jan + feb + D("10.00")
    resp = client.post(
        f"/api/groups/{CODE}/payments", json=_body(f"{amount:.2f}"), headers=group.auth
    )
    assert resp.status_code == 201, resp.json
    parts = {p["account_id"]: p for p in resp.json["parts"]}
    assert set(parts) == {group.a1.id, group.a2.id}  # the far account is not in scope
    assert parts[group.a2.id]["amount"] == f"{jan:.2f}"
    assert parts[group.a1.id]["amount"] == f"{feb + D('10.00'):.2f}"
    assert resp.json["unallocated"] == "0.00"
    assert _due(session, group.a2) == 0
    a1 = amount_due(session, group.a1.id, DAY)
    assert [(b.bill_id, b.principal) for b in a1.bills] == [(group.bills["a1_mar"].id, D("20.00"))]
    assert _due(session, group.a3) == a3_before
    gid = uuid.UUID(resp.json["id"])
    assert parts[group.a1.id]["payment_id"] == str(part_payment_id(gid, group.a1.id))
    _invariants_hold(session, group)


def test_replay_of_a_group_payment_adds_nothing(client: Any, session: Any, group: Group) -> None:
    """The same group payment sent again is a replay with the stored parts and no new rows."""
    body = _body("120.00")
    first = client.post(f"/api/groups/{CODE}/payments", json=body, headers=group.auth)
    payments = _count(session, Payment)
    again = client.post(f"/api/groups/{CODE}/payments", json=body, headers=group.auth)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json["replay"] is True and again.json["parts"] == first.json["parts"]
    assert _count(session, Payment) == payments
    assert _count(session, GroupPayment, GroupPayment.id == uuid.UUID(body["id"])) == 1
    _invariants_hold(session, group)


def test_tampered_group_replay_is_422_and_stores_nothing(
    client: Any, session: Any, group: Group
) -> None:
    """The same id with another amount answers 422 without echoing the stored record."""
    body = _body("120.00")
    assert (
        client.post(f"/api/groups/{CODE}/payments", json=body, headers=group.auth).status_code
        == 201
    )
    payments = _count(session, Payment)
    resp = client.post(
        f"/api/groups/{CODE}/payments", json=dict(body, amount="999.00"), headers=group.auth
    )
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
    assert resp.json["code"] == "id_conflict" and "120.00" not in resp.get_data(as_text=True)
    assert _count(session, Payment) == payments


def test_remainder_becomes_group_credit_and_sums_add_up_to_the_fen(
    client: Any, session: Any, group: Group
) -> None:
    """Paying beyond the group's total due leaves the rest as group credit, to the fen."""
    owed = sum((_due(session, a) for a in (group.a1, group.a2, group.a3)), D("0"))
    amount = owed + D("12.34")
    resp = client.post(
        f"/api/groups/{CODE}/payments", json=_body(f"{amount:.2f}"), headers=group.auth
    )
    assert resp.status_code == 201
    parts = sum((D(p["amount"]) for p in resp.json["parts"]), D("0"))
    assert D(resp.json["unallocated"]) == D("12.34")
    assert parts + D(resp.json["unallocated"]) == amount
    assert all(_due(session, a) == 0 for a in (group.a1, group.a2, group.a3))
    view = client.get(f"/api/groups/{CODE}?as_of=2026-04-09", headers=group.auth)
    assert view.json["credit"] == "12.34" and view.json["total_due"] == "0.00"
    audited = _count(
        session,
        MoneyAudit,
        MoneyAudit.entity_id == uuid.UUID(resp.json["id"]),
        MoneyAudit.event == "group_payment.created",
    )
    assert audited == 1
    _invariants_hold(session, group)


def test_explicit_split_pays_each_account_its_share(
    client: Any, session: Any, group: Group
) -> None:
    """An explicit split overrides oldest first; a share beyond a debt is that account's credit."""
    a3 = _due(session, group.a3)
    split = [
        {"account_id": group.a3.id, "amount": f"{a3 + D('5.00'):.2f}"},
        {"account_id": group.a1.id, "amount": "10.00"},
    ]
    amount = a3 + D("15.00")
    resp = client.post(
        f"/api/groups/{CODE}/payments",
        json=_body(f"{amount:.2f}", split=split),
        headers=group.auth,
    )
    assert resp.status_code == 201, resp.json
    parts = {p["account_id"]: p for p in resp.json["parts"]}
    assert parts[group.a3.id]["overpayment"] == "5.00"
    assert parts[group.a1.id]["allocations"][0]["bill_id"] == group.bills["a1_feb"].id
    assert _due(session, group.a3) == 0
    assert amount_due(session, group.a3.id, DAY).credit == D("5.00")
    over = session.scalar(
        select(MoneyException.amount).where(MoneyException.account_id == group.a3.id)
    )
    assert over == D("5.00")
    _invariants_hold(session, group)


def test_split_that_does_not_add_up_or_leaves_the_group_is_422(
    client: Any, session: Any, group: Group
) -> None:
    """A split whose sum differs from the amount, or naming another account, stores nothing."""
    wrong_sum = [{"account_id": group.a1.id, "amount": "10.00"}]
    outsider = [{"account_id": group.far.id, "amount": "20.00"}]
    for split, amount in ((wrong_sum, "20.00"), (outsider, "20.00")):
        resp = client.post(
            f"/api/groups/{CODE}/payments", json=_body(amount, split=split), headers=group.auth
        )
        assert resp.status_code == 422 and resp.json["code"] == "bad_split"
    assert _count(session, GroupPayment, GroupPayment.group_code == CODE) == 0


def test_online_notice_carries_a_group_payment_once(
    client: Any, session: Any, group: Group, factory: Any
) -> None:
    """A group notice is stored once by its derived id; a wrong id or a reused txn is 422."""
    good = _body(
        "50.00",
        channel="bank",
        channel_txn_id="B-9001",
        id=str(channel_payment_id(Channel.BANK, "B-9001")),
    )
    assert (
        client.post(f"/api/groups/{CODE}/payments", json=good, headers=group.auth).status_code
        == 201
    )
    again = client.post(f"/api/groups/{CODE}/payments", json=good, headers=group.auth)
    assert again.status_code == 200 and again.json["replay"] is True
    notice = {
        "channel": "bank",
        "channel_txn_id": "B-9002",
        "account_number": group.a1.number,
        "amount": "20.00",
        "paid_at": COLLECTED,
    }
    assert signed_notice(client, factory, notice).status_code == 201
    twice = _body(
        "20.00",
        channel="bank",
        channel_txn_id="B-9002",
        id=str(channel_payment_id(Channel.BANK, "B-9002")),
    )
    resp = client.post(f"/api/groups/{CODE}/payments", json=twice, headers=group.auth)
    assert resp.status_code == 422 and resp.json["code"] == "duplicate_channel_txn"
    bad = _body("50.00", channel="alipay", channel_txn_id="A-1")
    resp = client.post(f"/api/groups/{CODE}/payments", json=bad, headers=group.auth)
    assert resp.status_code == 422 and resp.json["code"] == "bad_id"


def test_group_is_scoped_to_the_supervisors_stations(
    client: Any, factory: Any, session: Any, group: Group
) -> None:
    """A supervisor sees only the group's accounts at their stations; others get 404."""
    view = client.get(f"/api/groups/{CODE}?as_of=2026-04-09", headers=group.auth)
    assert view.status_code == 200
    seen = {a["account_id"] for a in view.json["accounts"]}
    assert seen == {group.a1.id, group.a2.id, group.a3.id}
    stranger_station = factory.station()
    stranger = factory.token(factory.user(Role.SUPERVISOR, stranger_station), client)
    assert client.get(f"/api/groups/{CODE}", headers=stranger).status_code == 404
    assert client.get("/api/groups/NO-SUCH", headers=group.auth).status_code == 404
    resp = client.post(f"/api/groups/{CODE}/payments", json=_body("10.00"), headers=stranger)
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"
    far_sup = factory.token(factory.user(Role.SUPERVISOR, group.other_station), client)
    far_view = client.get(f"/api/groups/{CODE}?as_of=2026-04-09", headers=far_sup)
    assert [a["account_id"] for a in far_view.json["accounts"]] == [group.far.id]
    collector = factory.token(factory.user(Role.COLLECTOR, group.station), client)
    assert (
        client.post(
            f"/api/groups/{CODE}/payments", json=_body("10.00"), headers=collector
        ).status_code
        == 403
    )
    assert _count(session, GroupPayment, GroupPayment.group_code == CODE) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"amount": 12.5},
        {"amount": "0.105"},
        {"amount": "NaN"},
        {"amount": "-5.00"},
        {"receipt_no": "X-1"},
        {"unallocated": "1.00"},
        {"channel": "field_cash"},
        {"split": [{"account_id": 1, "amount": 5}]},
        {"split": [{"account_id": 1, "amount": "5.00", "x": 1}]},
    ],
)
def test_bad_group_input_is_problem_422_and_nothing_stored(
    client: Any, session: Any, group: Group, change: dict[str, Any]
) -> None:
    """Float, over-precise or negative amounts, unknown fields and field channels: 422, no rows."""
    body = {**_body("10.00"), **change}
    resp = client.post(f"/api/groups/{CODE}/payments", json=body, headers=group.auth)
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
    assert _count(session, GroupPayment, GroupPayment.group_code == CODE) == 0
    assert _count(session, GroupPaymentPart, GroupPaymentPart.account_id == group.a1.id) == 0


def test_backdated_group_payment_does_not_pay_a_bill_twice(
    client: Any, session: Any, factory: Any, group: Group
) -> None:
    """A group payment collected before an already recorded payment skips the bills it paid."""
    counter = {
        "id": str(uuid.uuid4()),
        "account_id": group.a2.id,
        "amount": "200.00",
        "channel": "counter",
        "collected_at": "2026-04-09T10:00:00+08:00",
    }
    assert client.post("/api/payments", json=counter, headers=group.auth).status_code == 201
    body = _body("40.00", collected_at="2026-04-01T10:00:00+08:00")
    resp = client.post(f"/api/groups/{CODE}/payments", json=body, headers=group.auth)
    assert resp.status_code == 201
    assert [p["account_id"] for p in resp.json["parts"]] == [group.a1.id]
    _invariants_hold(session, group)
