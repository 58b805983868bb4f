"""POST /api/payments/batch: per-item outcomes, resending adds nothing, size capped."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.models import Payment, Role


def _rows(session: Any, account: Any) -> int:
    stmt = select(func.count()).select_from(Payment).where(Payment.account_id == account.id)
    return int(session.scalar(stmt))


def test_batch_of_fifty_with_three_invalid_stores_forty_seven(
    client: Any, field: Any, session: Any
) -> None:
    """47 good items are stored, 3 are itemised rejections; a resend adds 0 rows."""
    items: list[Any] = [field.payment("1.00") for _ in range(50)]
    items[5]["amount"] = "0.105"
    items[17]["amount"] = 12.5
    items[33]["surprise"] = True
    first = client.post("/api/payments/batch", json={"items": items}, headers=field.collector_auth)
    assert first.status_code == 200
    assert (first.json["created"], first.json["rejected"]) == (47, 3)
    rejected = [i for i in first.json["items"] if i["status"] == "rejected"]
    assert [i["index"] for i in rejected] == [5, 17, 33]
    assert all(i["reason"] == "invalid" and i["errors"] for i in rejected)
    assert _rows(session, field.account) == 47
    again = client.post("/api/payments/batch", json={"items": items}, headers=field.collector_auth)
    assert (again.json["created"], again.json["replayed"], again.json["rejected"]) == (0, 47, 3)
    assert _rows(session, field.account) == 47


def test_batch_items_can_be_quarantined_and_tampered(client: Any, field: Any, factory: Any) -> None:
    """Out-of-scope items are quarantined; a reused id with another body is rejected."""
    other = factory.account(field.station, factory.user(Role.COLLECTOR, field.station))
    good = field.payment("5.00")
    client.post("/api/payments", json=good, headers=field.collector_auth)
    items = [dict(good, amount="6.00"), field.payment("7.00", account_id=other.id), "oops"]
    resp = client.post("/api/payments/batch", json={"items": items}, headers=field.collector_auth)
    assert [(i["status"], i["reason"]) for i in resp.json["items"]] == [
        ("rejected", "id_conflict"),
        ("quarantined", "not an account of the collector's on 2026-04-09"),
        ("rejected", "invalid"),
    ]


def test_batch_size_is_capped(client: Any, field: Any) -> None:
    """More than 200 items is refused as a whole with 422."""
    items = [field.payment("1.00") for _ in range(201)]
    resp = client.post("/api/payments/batch", json={"items": items}, headers=field.collector_auth)
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
