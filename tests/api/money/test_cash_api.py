"""Cash custody: in hand, handovers, daily reconciliation that adds up to the fen."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.models.ledger_extra import CashEvent

D = Decimal


def _handover(client: Any, field: Any, amount: str, at: str = "2026-04-09T16:00:00+08:00") -> Any:
    body = {
        "id": str(uuid.uuid4()),
        "collector_id": field.collector.id,
        "amount": amount,
        "handed_at": at,
    }
    return client.post("/api/cash/handovers", json=body, headers=field.supervisor_auth)


def _count(client: Any, field: Any, day: str, counted: str) -> Any:
    body = {
        "id": str(uuid.uuid4()),
        "collector_id": field.collector.id,
        "business_date": day,
        "counted": counted,
    }
    return client.post("/api/cash/reconciliations", json=body, headers=field.supervisor_auth)


def _position(client: Any, field: Any) -> Any:
    url = f"/api/cash/collectors/{field.collector.id}"
    return client.get(url, headers=field.collector_auth).json


def test_cash_in_hand_is_collected_minus_handed_over(client: Any, field: Any) -> None:
    """Two field-cash payments, one QR payment and a handover leave 70.55 in hand."""
    for amount, channel in (("50.25", "field_cash"), ("40.30", "field_cash"), ("9.00", "field_qr")):
        client.post(
            "/api/payments",
            json=field.payment(amount, channel=channel),
            headers=field.collector_auth,
        )
    assert _handover(client, field, "20.00").status_code == 201
    pos = _position(client, field)
    assert (pos["collected"], pos["handed_over"], pos["in_hand"]) == ("90.55", "20.00", "70.55")


def test_handover_is_idempotent_and_capped_by_cash_in_hand(client: Any, field: Any) -> None:
    """A resent handover is a replay; handing over more than is held is refused."""
    client.post("/api/payments", json=field.payment("30.00"), headers=field.collector_auth)
    body = {
        "id": str(uuid.uuid4()),
        "collector_id": field.collector.id,
        "amount": "30.00",
        "handed_at": "2026-04-09T16:00:00+08:00",
    }
    first = client.post("/api/cash/handovers", json=body, headers=field.supervisor_auth)
    again = client.post("/api/cash/handovers", json=body, headers=field.supervisor_auth)
    assert (first.status_code, again.status_code, again.json["replay"]) == (201, 200, True)
    too_much = _handover(client, field, "0.01")
    assert too_much.status_code == 422 and too_much.json["code"] == "more_than_in_hand"


def test_reconciliation_adds_up_to_the_fen(client: Any, field: Any, session: Any) -> None:
    """opening + collected - reversed - handed over = expected; + variance = counted."""
    ids = []
    for amount in ("33.33", "66.67", "10.01"):
        body = field.payment(amount)
        ids.append(body["id"])
        client.post("/api/payments", json=body, headers=field.collector_auth)
    _handover(client, field, "50.00")
    report = _count(client, field, "2026-04-09", "59.90")
    assert report.status_code == 201, report.json
    r = {k: D(v) for k, v in report.json.items() if k not in ("id", "business_date", "replay")}
    assert r["opening"] == 0 and r["collected"] == D("110.01") and r["handed_over"] == D("50")
    assert r["expected"] == r["opening"] + r["collected"] - r["reversed"] - r["handed_over"]
    assert r["variance"] == D("-0.11") and r["expected"] + r["variance"] == r["counted"]
    variance = session.scalars(
        select(CashEvent).where(
            CashEvent.collector_id == field.collector.id, CashEvent.kind == "variance"
        )
    ).one()
    assert variance.amount == D("-0.11")
    # The next day opens with exactly what was counted.
    client.post(
        "/api/payments",
        json=field.payment("5.00", collected_at="2026-04-10T09:00:00+08:00"),
        headers=field.collector_auth,
    )
    nxt = _count(client, field, "2026-04-10", "64.90").json
    assert (nxt["opening"], nxt["expected"], nxt["variance"]) == ("59.90", "64.90", "0.00")
    assert _position(client, field)["in_hand"] == "64.90"


def test_a_day_is_reconciled_once(client: Any, field: Any) -> None:
    """A second count of the same day with another id is 409; the same one is a replay."""
    client.post("/api/payments", json=field.payment("10.00"), headers=field.collector_auth)
    body = {
        "id": str(uuid.uuid4()),
        "collector_id": field.collector.id,
        "business_date": "2026-04-09",
        "counted": "9.00",
    }
    first = client.post("/api/cash/reconciliations", json=body, headers=field.supervisor_auth)
    again = client.post("/api/cash/reconciliations", json=body, headers=field.supervisor_auth)
    other = _count(client, field, "2026-04-09", "10.00")
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)


def test_collectors_cannot_record_handovers(client: Any, field: Any) -> None:
    """Handovers are recorded by the supervisor who receives the cash."""
    body = {
        "id": str(uuid.uuid4()),
        "collector_id": field.collector.id,
        "amount": "1.00",
        "handed_at": "2026-04-09T16:00:00+08:00",
    }
    resp = client.post("/api/cash/handovers", json=body, headers=field.collector_auth)
    assert resp.status_code == 403


def test_supervisor_lists_the_days_reconciliations(client: Any, field: Any) -> None:
    """The day's reports are listed for the station; each adds up."""
    client.post("/api/payments", json=field.payment("12.00"), headers=field.collector_auth)
    _count(client, field, "2026-04-09", "12.00")
    rows = client.get(
        "/api/cash/reconciliations?business_date=2026-04-09", headers=field.supervisor_auth
    ).json
    assert [(r["collector_id"], r["expected"], r["variance"]) for r in rows] == [
        (field.collector.id, "12.00", "0.00")
    ]


def test_a_late_upload_for_a_counted_day_falls_into_the_next_count(client: Any, field: Any) -> None:
    """Cash uploaded after its day was counted is held for review (issue 16.10) and counted
    once, next time, marked late."""
    client.post("/api/payments", json=field.payment("10.00"), headers=field.collector_auth)
    # The collector also holds 25.00 from an upload still on the phone: counted 35.00.
    first = _count(client, field, "2026-04-09", "35.00").json
    assert (first["expected"], first["variance"]) == ("10.00", "25.00")
    late = field.payment("25.00", collected_at="2026-04-09T17:00:00+08:00")
    assert client.post("/api/payments", json=late, headers=field.collector_auth).status_code == 202
    pos = _position(client, field)
    assert (pos["opening"], pos["late"], pos["in_hand"]) == ("35.00", "25.00", "60.00")
    nxt = _count(client, field, "2026-04-10", "35.00").json
    assert (nxt["opening"], nxt["collected"], nxt["late"]) == ("35.00", "25.00", "25.00")
    assert (nxt["expected"], nxt["variance"]) == ("60.00", "-25.00")
    # The surplus and the shortfall cancel: over both days, nothing is counted twice.
    assert D(first["variance"]) + D(nxt["variance"]) == 0


def test_a_count_closes_earlier_days_too(client: Any, field: Any) -> None:
    """Once a day is counted, an earlier day can no longer be counted (409)."""
    client.post("/api/payments", json=field.payment("10.00"), headers=field.collector_auth)
    assert _count(client, field, "2026-04-10", "10.00").status_code == 201
    assert _count(client, field, "2026-04-09", "10.00").status_code == 409
