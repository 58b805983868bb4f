"""Prepaid deposits (预存电费): exactly once, auto-pay from the balance, never negative."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.models import Channel, Payment, Role
from core.models.group_prepaid import PrepaidDeposit, PrepaidDraw
from core.money import amount_due
from core.money import deposits as prepaid_service
from core.money.group_prepaid_checks import check_group_prepaid
from core.money.invariants import check_ledger
from core.money.prepaid import bill_trigger, draw_payment_id, prepaid_balance

D = Decimal
TODAY = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _deposit(amount: str, **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "amount": amount,
        "channel": "counter",
        "collected_at": "2026-04-09T10:00:00+08:00",
        "device_id": "hall-1",
    }
    body.update(kw)
    return body


def _url(field: Any) -> str:
    return f"/api/accounts/{field.account.id}/deposits"


def _count(session: Any, model: Any, *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)))


def _mine(model: Any, field: Any) -> Any:
    return model.account_id == field.account.id


def _owed(session: Any, field: Any) -> Decimal:
    return amount_due(session, field.account.id, TODAY).total


def _invariants_hold(session: Any, field: Any) -> None:
    assert check_ledger(session, [field.station.id]) == {}
    assert check_group_prepaid(session) == {}


def test_deposit_auto_pays_an_existing_bill_and_a_later_bill(
    client: Any, session: Any, factory: Any, field: Any
) -> None:
    """A deposit pays what is owed at once; a bill issued later is paid from the rest."""
    owed = _owed(session, field)
    resp = client.post(_url(field), json=_deposit("1000.00"), headers=field.supervisor_auth)
    assert resp.status_code == 201, resp.json
    assert resp.json["autopay"]["amount"] == f"{owed:.2f}"
    assert _owed(session, field) == 0
    assert D(resp.json["balance"]) == D("1000.00") - owed
    later = factory.bill(
        field.account, dt.date(2026, 10, 1), "60.00", TODAY + dt.timedelta(days=20)
    )
    paid = client.post(f"{_url(field)}/autopay", headers=field.supervisor_auth)
    assert paid.status_code == 200
    assert paid.json["autopay"]["trigger"] == bill_trigger(later.id)
    assert paid.json["autopay"]["allocations"] == [
        {"bill_id": later.id, "principal": "60.00", "late_fee": "0.00"}
    ]
    assert _owed(session, field) == 0
    view = client.get(_url(field), headers=field.collector_auth)
    assert view.status_code == 200 and D(view.json["balance"]) == D("940.00") - owed
    assert len(view.json["deposits"]) == 1 and len(view.json["draws"]) == 2
    _invariants_hold(session, field)


def test_running_auto_pay_twice_pays_once(
    client: Any, session: Any, factory: Any, field: Any
) -> None:
    """The same trigger run again returns its stored payment and draws nothing more."""
    client.post(_url(field), json=_deposit("1000.00"), headers=field.supervisor_auth)
    bill = factory.bill(field.account, dt.date(2026, 10, 1), "60.00", TODAY + dt.timedelta(days=20))
    first = client.post(f"{_url(field)}/autopay", headers=field.supervisor_auth)
    balance = prepaid_balance(session, field.account.id)
    second = client.post(f"{_url(field)}/autopay", headers=field.supervisor_auth)
    hook = prepaid_service.on_bill_issued(session, bill.id, actor_id=field.supervisor.id)
    assert first.json["autopay"]["replay"] is False and second.json["autopay"]["replay"] is True
    assert (
        hook is not None
        and hook.replay
        and hook.payment.id == draw_payment_id(bill_trigger(bill.id))
    )
    assert prepaid_balance(session, field.account.id) == balance
    assert _count(session, PrepaidDraw, PrepaidDraw.account_id == field.account.id) == 2
    _invariants_hold(session, field)


def test_balance_never_goes_negative(client: Any, session: Any, field: Any) -> None:
    """A deposit smaller than the debt pays only what it holds; the rest stays owed."""
    owed = _owed(session, field)
    resp = client.post(_url(field), json=_deposit("30.00"), headers=field.supervisor_auth)
    assert resp.json["autopay"]["amount"] == "30.00" and resp.json["balance"] == "0.00"
    assert _owed(session, field) == owed - D("30.00")
    again = client.post(f"{_url(field)}/autopay", headers=field.supervisor_auth)
    assert again.json["autopay"] is None
    assert prepaid_balance(session, field.account.id) == 0
    _invariants_hold(session, field)


def test_reversed_draw_returns_money_to_the_balance(client: Any, session: Any, field: Any) -> None:
    """Reversing an auto-payment puts its amount back in the balance and the bills back owed."""
    owed = _owed(session, field)
    resp = client.post(_url(field), json=_deposit("500.00"), headers=field.supervisor_auth)
    draw_id = resp.json["autopay"]["payment_id"]
    rev = client.post(
        f"/api/payments/{draw_id}/reversal",
        json={"id": str(uuid.uuid4()), "reason": "wrong account"},
        headers=field.supervisor_auth,
    )
    assert rev.status_code == 201
    assert prepaid_balance(session, field.account.id) == D("500.00")
    assert _owed(session, field) == owed
    _invariants_hold(session, field)


def test_deposit_replay_adds_nothing_and_tampered_replay_is_422(
    client: Any, session: Any, field: Any
) -> None:
    """The same deposit again is a replay; the same id with another amount is 422."""
    body = _deposit("200.00")
    first = client.post(_url(field), json=body, headers=field.supervisor_auth)
    again = client.post(_url(field), json=body, headers=field.supervisor_auth)
    assert first.status_code == 201 and again.status_code == 200 and again.json["replay"] is True
    assert again.json["autopay"] == {**first.json["autopay"], "replay": True}
    tampered = client.post(
        _url(field), json=dict(body, amount="300.00"), headers=field.supervisor_auth
    )
    assert tampered.status_code == 422 and tampered.json["code"] == "id_conflict"
    assert _count(session, PrepaidDeposit, PrepaidDeposit.account_id == field.account.id) == 1
    assert _count(session, Payment, Payment.channel == Channel.PREPAID, _mine(Payment, field)) == 1
    _invariants_hold(session, field)


def test_deposits_are_scoped(client: Any, session: Any, factory: Any, field: Any) -> None:
    """Another station's supervisor gets 404 for the balance and the deposit; collectors 403."""
    stranger = factory.token(factory.user(Role.SUPERVISOR, factory.station()), client)
    assert client.get(_url(field), headers=stranger).status_code == 404
    assert client.post(_url(field), json=_deposit("10.00"), headers=stranger).status_code == 404
    assert client.post(f"{_url(field)}/autopay", headers=stranger).status_code == 404
    assert (
        client.get("/api/accounts/2147483647/deposits", headers=field.supervisor_auth).status_code
        == 404
    )
    resp = client.post(_url(field), json=_deposit("10.00"), headers=field.collector_auth)
    assert resp.status_code == 403
    assert _count(session, PrepaidDeposit, _mine(PrepaidDeposit, field)) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"amount": 12.5},
        {"amount": 50},
        {"amount": "0.105"},
        {"amount": "0.00"},
        {"amount": "NaN"},
        {"balance": "10.00"},
        {"account_id": 1},
        {"channel": "prepaid"},
        {"channel": "field_cash"},
        {"collected_at": "2026-04-09T10:00:00"},
    ],
)
def test_bad_deposit_input_is_problem_422_and_nothing_stored(
    client: Any, session: Any, field: Any, change: dict[str, Any]
) -> None:
    """Floats, extra precision, zero, unknown fields, internal channels, naive times: 422."""
    resp = client.post(
        _url(field), json={**_deposit("10.00"), **change}, headers=field.supervisor_auth
    )
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
    assert (
        _count(session, PrepaidDeposit, _mine(PrepaidDeposit, field)) == 0
        and _count(session, PrepaidDraw, _mine(PrepaidDraw, field)) == 0
    )
