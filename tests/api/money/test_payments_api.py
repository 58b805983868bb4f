"""POST /api/payments: exactly once, strict amounts, allocation, receipts, quarantine."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, text

from core.models import Payment, PaymentAllocation, Role
from core.models.ledger_extra import MoneyAudit, MoneyException, QuarantinedPayment

D = Decimal


def _count(session: Any, model: Any, *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)))


def test_first_upload_is_201_and_resend_is_a_replay(client: Any, field: Any) -> None:
    """The first upload answers 201; the same body again answers 200 with replay true."""
    body = field.payment("50.00")
    first = client.post("/api/payments", json=body, headers=field.collector_auth)
    again = client.post("/api/payments", json=body, headers=field.collector_auth)
    assert first.status_code == 201 and first.json["replay"] is False
    assert again.status_code == 200 and again.json["replay"] is True
    assert again.json["receipt_no"] == first.json["receipt_no"]
    assert again.json["allocations"] == first.json["allocations"]


def test_hundred_sequential_replays_store_one_row(client: Any, field: Any, session: Any) -> None:
    """100 sends of one payment: one 201, 99 replays, one row, one audit entry."""
    body = field.payment("12.34")
    codes = [
        client.post("/api/payments", json=body, headers=field.collector_auth).status_code
        for _ in range(100)
    ]
    assert codes.count(201) == 1 and codes.count(200) == 99
    pid = uuid.UUID(body["id"])
    assert _count(session, Payment, Payment.id == pid) == 1
    assert _count(session, MoneyAudit, MoneyAudit.entity_id == pid) == 1


def test_same_id_different_body_is_422_without_the_stored_record(client: Any, field: Any) -> None:
    """A tampered resend is refused and the answer does not echo the stored payment."""
    body = field.payment("50.00")
    assert client.post("/api/payments", json=body, headers=field.collector_auth).status_code == 201
    tampered = dict(body, amount="500.00")
    resp = client.post("/api/payments", json=tampered, headers=field.collector_auth)
    assert resp.status_code == 422
    assert resp.mimetype == "application/problem+json"
    assert resp.json["code"] == "id_conflict"
    assert "50.00" not in resp.get_data(as_text=True) and "receipt_no" not in resp.json


def test_another_collectors_id_is_the_same_422(client: Any, field: Any, factory: Any) -> None:
    """Reusing another collector's payment id answers 422 like a tampered body."""
    body = field.payment("50.00")
    assert client.post("/api/payments", json=body, headers=field.collector_auth).status_code == 201
    other = factory.user(Role.COLLECTOR, field.station)
    resp = client.post("/api/payments", json=body, headers=factory.token(other, client))
    assert resp.status_code == 422 and resp.json["code"] == "id_conflict"


@pytest.mark.parametrize(
    "amount",
    [
        "NaN",
        "-1.00",
        "100000000.00",
        "99999999999",
        "0.105",
        12.5,
        50,
        "0",
        "0.00",
        "1e3",
        " 1",
        "",
    ],
)
def test_bad_amounts_are_refused_and_nothing_stored(
    client: Any, field: Any, session: Any, amount: Any
) -> None:
    """Floats, NaN, negatives, zero, huge values and extra precision: 422, no row."""
    body = field.payment(amount=amount)
    resp = client.post("/api/payments", json=body, headers=field.collector_auth)
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
    assert "amount" in resp.json["errors"]["json"]
    assert _count(session, Payment, Payment.account_id == field.account.id) == 0


def test_json_nan_literal_is_refused(client: Any, field: Any, session: Any) -> None:
    """A bare NaN in the JSON body is not an amount."""
    raw = json.dumps(field.payment()).replace('"50.00"', "NaN")
    resp = client.post(
        "/api/payments", data=raw, content_type="application/json", headers=field.collector_auth
    )
    assert resp.status_code in (400, 422) and resp.mimetype == "application/problem+json"
    assert _count(session, Payment, Payment.account_id == field.account.id) == 0


def test_unknown_fields_are_refused(client: Any, field: Any) -> None:
    """A server-owned field such as receipt_no cannot be sent."""
    body = field.payment(receipt_no="X-1")
    resp = client.post("/api/payments", json=body, headers=field.collector_auth)
    assert resp.status_code == 422 and "receipt_no" in resp.json["errors"]["json"]


def test_payment_goes_to_the_oldest_bill_fee_first(client: Any, field: Any) -> None:
    """130.00 on 04-09 pays the March bill's 3.00 fee and 100.00, then 27.00 of April's."""
    resp = client.post("/api/payments", json=field.payment("130.00"), headers=field.collector_auth)
    assert resp.status_code == 201
    assert resp.json["allocations"] == [
        {"bill_id": field.old_bill.id, "principal": "100.00", "late_fee": "3.00"},
        {"bill_id": field.new_bill.id, "principal": "27.00", "late_fee": "0.00"},
    ]
    due = client.get(
        f"/api/arrears/{field.account.id}?as_of=2026-04-09", headers=field.collector_auth
    ).json
    assert [b["bill_id"] for b in due["bills"]] == [field.new_bill.id]
    assert due["principal"] == "53.00" and due["stage"] == "none"


def test_two_payments_for_one_bill_are_both_stored_with_an_overpayment(
    client: Any, field: Any, session: Any
) -> None:
    """Collector and counter both take the full amount: two rows, one overpayment exception."""
    a = client.post("/api/payments", json=field.payment("183.00"), headers=field.collector_auth)
    b = client.post(
        "/api/payments",
        json=field.payment("183.00", channel="counter"),
        headers=field.supervisor_auth,
    )
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json["overpayment"] == "0.00" and b.json["overpayment"] == "183.00"
    exc = session.scalars(select(MoneyException)).all()
    assert [(e.kind, e.amount) for e in exc if e.account_id == field.account.id] == [
        ("overpayment", D("183.00"))
    ]


def test_receipt_numbers_are_sequential_per_station(client: Any, field: Any) -> None:
    """Each field payment gets the station's next receipt number."""
    nos = [
        client.post("/api/payments", json=field.payment("1.00"), headers=field.collector_auth).json[
            "receipt_no"
        ]
        for _ in range(3)
    ]
    prefix = f"S{field.station.id}-2026-"
    assert nos == [f"{prefix}000001", f"{prefix}000002", f"{prefix}000003"]


def test_money_outside_the_collectors_scope_is_quarantined(
    client: Any, field: Any, factory: Any, session: Any
) -> None:
    """A collector's upload for someone else's account is kept for a supervisor, not 403."""
    other = factory.account(field.station, factory.user(Role.COLLECTOR, field.station))
    body = field.payment("20.00", account_id=other.id)
    first = client.post("/api/payments", json=body, headers=field.collector_auth)
    again = client.post("/api/payments", json=body, headers=field.collector_auth)
    assert first.status_code == 202 and first.json["status"] == "quarantined"
    assert again.status_code == 202 and again.json["replay"] is True
    assert _count(session, Payment, Payment.account_id == other.id) == 0
    assert _count(session, QuarantinedPayment, QuarantinedPayment.account_id == other.id) == 1


def test_unknown_account_is_quarantined(client: Any, field: Any, session: Any) -> None:
    """Cash for an account number that does not exist is kept, never dropped."""
    body = field.payment("20.00", account_id=987654321)
    resp = client.post("/api/payments", json=body, headers=field.collector_auth)
    assert resp.status_code == 202
    assert resp.json["quarantine_reason"] == "not an account of the collector's on 2026-04-09"


def test_collector_may_not_record_online_channels(client: Any, field: Any) -> None:
    """A collector recording an Alipay payment is refused with 422."""
    body = field.payment(channel="alipay")
    resp = client.post("/api/payments", json=body, headers=field.collector_auth)
    assert resp.status_code == 422 and resp.json["code"] == "channel_not_allowed"


def test_ledger_refuses_update_and_delete(client: Any, field: Any, session: Any) -> None:
    """UPDATE and DELETE on payment and payment_allocation raise, whoever asks (the
    application role, as here, is refused by its privileges; the owner by the triggers)."""
    client.post("/api/payments", json=field.payment("50.00"), headers=field.collector_auth)
    for sql in (
        "UPDATE payment SET amount = 1",
        "DELETE FROM payment",
        "UPDATE payment_allocation SET principal = 0",
        "DELETE FROM payment_allocation",
        "TRUNCATE payment_allocation",
        "UPDATE money_audit SET event = 'x'",
    ):
        refused = pytest.raises(Exception, match="append-only|permission denied")
        with refused, session.begin_nested():
            session.execute(text(sql))
    assert _count(session, PaymentAllocation) >= 1


def test_every_money_event_has_one_audit_row(client: Any, field: Any, session: Any) -> None:
    """Created, quarantined and reversed entries each leave exactly one audit row."""
    body = field.payment("50.00")
    client.post("/api/payments", json=body, headers=field.collector_auth)
    client.post("/api/payments", json=body, headers=field.collector_auth)
    client.post(
        f"/api/payments/{body['id']}/reversal",
        json={"id": str(uuid.uuid4()), "reason": "wrong account"},
        headers=field.supervisor_auth,
    )
    events = session.scalars(
        select(MoneyAudit.event).where(MoneyAudit.account_id == field.account.id)
    ).all()
    assert sorted(events) == ["payment.created", "payment.reversed"]
    rows = _count(session, Payment, Payment.account_id == field.account.id)
    assert rows == len(events)


def test_authorization_uses_the_assignment_when_the_money_was_collected(
    client: Any, field: Any, factory: Any, session: Any
) -> None:
    """After a reassignment, cash collected before it is accepted; after it, quarantined."""
    from core.models import AccountResponsibility

    successor = factory.user(Role.COLLECTOR, field.station)
    current = session.scalars(
        select(AccountResponsibility).where(AccountResponsibility.account_id == field.account.id)
    ).one()
    current.valid_to = dt.date(2026, 5, 1)
    session.add(
        AccountResponsibility(
            account_id=field.account.id,
            collector_id=successor.id,
            valid_from=current.valid_to,
        )
    )
    field.account.responsible_id = successor.id
    session.flush()
    before = field.payment("10.00", collected_at="2026-04-30T18:00:00+08:00")
    after = field.payment("10.00", collected_at="2026-05-01T09:00:00+08:00")
    assert (
        client.post("/api/payments", json=before, headers=field.collector_auth).status_code == 201
    )
    resp = client.post("/api/payments", json=after, headers=field.collector_auth)
    assert resp.status_code == 202 and "2026-05-01" in resp.json["quarantine_reason"]


def test_a_backdated_payment_never_pays_a_bill_again(client: Any, field: Any, session: Any) -> None:
    """300.00 collected 04-09, then 50.00 collected 04-01 uploaded later: no bill is paid
    twice; the backdated 50.00 becomes an overpayment and the ledger checks hold."""
    from core.money.invariants import check_ledger

    first = client.post("/api/payments", json=field.payment("300.00"), headers=field.collector_auth)
    assert first.status_code == 201
    late = field.payment("50.00", collected_at="2026-04-01T10:00:00+08:00")
    resp = client.post("/api/payments", json=late, headers=field.collector_auth)
    assert resp.status_code == 201, resp.json
    paid = dict(
        session.execute(
            select(PaymentAllocation.bill_id, func.sum(PaymentAllocation.principal))
            .where(PaymentAllocation.bill_id.in_([field.old_bill.id, field.new_bill.id]))
            .group_by(PaymentAllocation.bill_id)
        ).all()
    )
    assert paid[field.old_bill.id] <= D("100.00") and paid[field.new_bill.id] <= D("80.00")
    assert check_ledger(session, [field.station.id]) == {}


def test_reading_a_payment_shows_what_its_creation_said(client: Any, field: Any) -> None:
    """GET /api/payments/{id} answers the creation's facts: status, replay, overpayment."""
    body = field.payment("200.00")
    created = client.post("/api/payments", json=body, headers=field.collector_auth)
    assert created.status_code == 201 and created.json["overpayment"] == "17.00"
    read = client.get(f"/api/payments/{body['id']}", headers=field.supervisor_auth)
    assert read.status_code == 200
    assert read.json == created.json
