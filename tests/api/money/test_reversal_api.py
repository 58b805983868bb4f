"""POST /api/payments/{id}/reversal: negative allocations, at most once, supervisors only."""

from __future__ import annotations

import uuid
from typing import Any


def _paid(client: Any, field: Any, amount: str = "103.00") -> str:
    body = field.payment(amount)
    assert client.post("/api/payments", json=body, headers=field.collector_auth).status_code == 201
    return str(body["id"])


def test_reversal_restores_the_arrears(client: Any, field: Any) -> None:
    """After a reversal the bill is owed again and the allocations are negated."""
    pid = _paid(client, field)
    rev = {"id": str(uuid.uuid4()), "reason": "recorded twice"}
    resp = client.post(f"/api/payments/{pid}/reversal", json=rev, headers=field.supervisor_auth)
    assert resp.status_code == 201 and resp.json["kind"] == "reversal"
    assert resp.json["allocations"] == [
        {"bill_id": field.old_bill.id, "principal": "-100.00", "late_fee": "-3.00"}
    ]
    due = client.get(f"/api/arrears/{field.account.id}", headers=field.supervisor_auth).json
    assert due["principal"] == "180.00"


def test_each_payment_is_reversed_at_most_once(client: Any, field: Any) -> None:
    """The same reversal again is a replay; a second, different reversal is 409."""
    pid = _paid(client, field)
    rev = {"id": str(uuid.uuid4()), "reason": "recorded twice"}
    url = f"/api/payments/{pid}/reversal"
    assert client.post(url, json=rev, headers=field.supervisor_auth).status_code == 201
    again = client.post(url, json=rev, headers=field.supervisor_auth)
    assert again.status_code == 200 and again.json["replay"] is True
    other = {"id": str(uuid.uuid4()), "reason": "recorded twice"}
    resp = client.post(url, json=other, headers=field.supervisor_auth)
    assert resp.status_code == 409 and resp.json["code"] == "already_reversed"


def test_collectors_cannot_reverse(client: Any, field: Any) -> None:
    """A collector asking for a reversal gets 403."""
    pid = _paid(client, field)
    rev = {"id": str(uuid.uuid4()), "reason": "mistake"}
    resp = client.post(f"/api/payments/{pid}/reversal", json=rev, headers=field.collector_auth)
    assert resp.status_code == 403


def test_reversing_an_unknown_payment_is_404(client: Any, field: Any) -> None:
    """A payment that does not exist (or is out of scope) answers 404."""
    rev = {"id": str(uuid.uuid4()), "reason": "mistake"}
    resp = client.post(
        f"/api/payments/{uuid.uuid4()}/reversal", json=rev, headers=field.supervisor_auth
    )
    assert resp.status_code == 404


def test_cash_already_handed_over_cannot_be_reversed(client: Any, field: Any) -> None:
    """Reversing field cash the collector no longer holds is 409: cash never goes negative."""
    pid = _paid(client, field, "40.00")
    handover = {
        "id": str(uuid.uuid4()),
        "collector_id": field.collector.id,
        "amount": "40.00",
        "handed_at": "2026-04-09T16:00:00+08:00",
    }
    client.post("/api/cash/handovers", json=handover, headers=field.supervisor_auth)
    rev = {"id": str(uuid.uuid4()), "reason": "wrong account"}
    resp = client.post(f"/api/payments/{pid}/reversal", json=rev, headers=field.supervisor_auth)
    assert resp.status_code == 409 and resp.json["code"] == "cash_handed_over"
