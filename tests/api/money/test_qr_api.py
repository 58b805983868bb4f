"""QR payments are verified (issue 16.9): pending until the channel's notice, and the same
money from the collector and from the channel is one payment."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from core.models import Payment


def _notice(field: Any, txn: str, amount: str = "80.00") -> dict[str, Any]:
    return {
        "channel": "alipay",
        "channel_txn_id": txn,
        "account_number": field.account.number,
        "amount": amount,
        "paid_at": "2026-04-09T10:05:00+08:00",
    }


def _qr(field: Any, txn: str | None, amount: str = "80.00") -> dict[str, Any]:
    ref = {"channel": "alipay", "txn_id": txn} if txn else None
    return field.payment(amount, channel="field_qr", qr_ref=ref)


def _payments(session: Any, field: Any) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(Payment).where(Payment.account_id == field.account.id)
        )
    )


def test_a_qr_upload_waits_for_the_notice_which_then_resolves_it(
    client: Any, field: Any, session: Any
) -> None:
    """QR first: pending (202, no payment); the notice is the one payment and matches it."""
    qr = _qr(field, "QR-1")
    first = client.post("/api/payments", json=qr, headers=field.collector_auth)
    assert first.status_code == 202 and "pending" in first.json["quarantine_reason"]
    assert _payments(session, field) == 0
    notice = field.notify(_notice(field, "QR-1"))
    assert notice.status_code == 201 and _payments(session, field) == 1
    open_ = client.get("/api/money/exceptions", headers=field.supervisor_auth).json
    assert qr["id"] not in {e["id"] for e in open_}
    done = client.get("/api/money/exceptions?state=resolved", headers=field.supervisor_auth).json
    assert [e["resolution"]["kind"] for e in done if e["id"] == qr["id"]] == ["matched"]
    release = client.post(
        f"/api/money/quarantine/{qr['id']}/release", headers=field.supervisor_auth
    )
    assert release.status_code == 409 and _payments(session, field) == 1


def test_a_qr_upload_after_the_notice_is_answered_with_the_channels_payment(
    client: Any, field: Any, session: Any
) -> None:
    """Notice first: the collector's upload answers 200 with that payment; nothing is added."""
    notice = field.notify(_notice(field, "QR-2"))
    qr = _qr(field, "QR-2")
    resp = client.post("/api/payments", json=qr, headers=field.collector_auth)
    assert resp.status_code == 200 and resp.json["id"] == notice.json["id"]
    assert _payments(session, field) == 1
    assert session.get(Payment, uuid.UUID(qr["id"])) is None


def test_a_qr_upload_without_a_reference_or_disagreeing_stays_for_review(
    client: Any, field: Any, session: Any
) -> None:
    """No transaction reference, or another amount than the channel's: held, never paid."""
    bare = client.post("/api/payments", json=_qr(field, None), headers=field.collector_auth)
    assert bare.status_code == 202 and "reference" in bare.json["quarantine_reason"]
    field.notify(_notice(field, "QR-3"))
    other = client.post(
        "/api/payments", json=_qr(field, "QR-3", "70.00"), headers=field.collector_auth
    )
    assert other.status_code == 202 and "disagrees" in other.json["quarantine_reason"]
    assert _payments(session, field) == 1


def test_a_notice_after_a_hand_released_qr_upload_is_held_not_paid_again(
    client: Any, field: Any, session: Any
) -> None:
    """A supervisor released the QR upload before its notice: the notice waits (202)."""
    qr = _qr(field, "QR-4")
    client.post("/api/payments", json=qr, headers=field.collector_auth)
    release = f"/api/money/quarantine/{qr['id']}/release"
    assert client.post(release, headers=field.supervisor_auth).status_code == 201
    notice = field.notify(_notice(field, "QR-4"))
    assert notice.status_code == 202 and "released QR" in notice.json["quarantine_reason"]
    assert _payments(session, field) == 1
