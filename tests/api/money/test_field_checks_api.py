"""Hand-recorded money: implausible field amounts (issue 16.12) and backdating (16.10)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from core.models import Payment
from core.models.ledger_extra import QuarantinedPayment

D = Decimal


def _stored(session: Any, body: dict[str, Any]) -> int:
    pid = uuid.UUID(body["id"])
    return int(session.scalar(select(func.count()).select_from(Payment).where(Payment.id == pid)))


def test_huge_cash_on_a_small_debt_is_refused_without_confirmation(
    client: Any, field: Any, session: Any
) -> None:
    """99,999,999.99 cash on an account owing 183.00: 422 amount_unconfirmed, nothing stored."""
    body = field.payment("99999999.99")
    resp = client.post("/api/payments", json=body, headers=field.collector_auth)
    assert resp.status_code == 422 and resp.json["code"] == "amount_unconfirmed"
    assert resp.mimetype == "application/problem+json"
    assert _stored(session, body) == 0


def test_a_confirmed_amount_below_the_cap_is_stored_with_its_overpayment(
    client: Any, field: Any
) -> None:
    """Confirmed 5,000.00 on a 183.00 debt is stored; the excess is an overpayment."""
    body = field.payment("5000.00", confirm_amount=True)
    resp = client.post("/api/payments", json=body, headers=field.collector_auth)
    assert resp.status_code == 201 and resp.json["overpayment"] == "4817.00"
    again = dict(body)
    del again["confirm_amount"]
    replay = client.post("/api/payments", json=again, headers=field.collector_auth)
    assert replay.status_code == 200 and replay.json["replay"] is True


def test_a_confirmed_amount_above_the_station_cap_is_refused(
    client: Any, field: Any, session: Any
) -> None:
    """Confirmed or not, field money beyond the station's cap is refused outright."""
    body = field.payment("99999999.99", confirm_amount=True)
    resp = client.post("/api/payments", json=body, headers=field.collector_auth)
    assert resp.status_code == 422 and resp.json["code"] == "amount_above_cap"
    field.station.field_payment_cap = D("1000.00")
    session.flush()
    smaller = field.payment("2000.00", confirm_amount=True)
    resp = client.post("/api/payments", json=smaller, headers=field.collector_auth)
    assert resp.status_code == 422 and resp.json["code"] == "amount_above_cap"
    assert _stored(session, body) == _stored(session, smaller) == 0


def test_plausible_amounts_need_no_confirmation(client: Any, field: Any) -> None:
    """Twice the debt plus 500.00 (866.00 here) passes; one fen more needs confirming."""
    ok = client.post("/api/payments", json=field.payment("866.00"), headers=field.collector_auth)
    assert ok.status_code == 201
    # The account owes nothing now: 500.00 passes, 500.01 does not.
    more = client.post("/api/payments", json=field.payment("500.01"), headers=field.collector_auth)
    assert more.status_code == 422 and more.json["code"] == "amount_unconfirmed"


def test_a_batch_item_with_an_implausible_amount_is_rejected_alone(
    client: Any, field: Any
) -> None:
    """In a batch the implausible item is rejected with its code; the others are stored."""
    items = [field.payment("20.00"), field.payment("99999999.99"), field.payment("30.00")]
    resp = client.post(
        "/api/payments/batch", json={"items": items}, headers=field.collector_auth
    )
    assert [(i["status"], i["reason"]) for i in resp.json["items"]] == [
        ("created", None),
        ("rejected", "amount_unconfirmed"),
        ("created", None),
    ]


def test_the_confirmation_and_the_cap_are_in_the_openapi(client: Any) -> None:
    """The payment schema documents confirm_amount, its codes and the station's cap."""
    spec = client.get("/api/openapi.json").json
    field = spec["components"]["schemas"]["Payment"]["properties"]["confirm_amount"]
    assert field["type"] == "boolean"
    for word in ("amount_unconfirmed", "amount_above_cap", "field_payment_cap"):
        assert word in field["description"]


def _ago(days: float) -> str:
    at = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    return at.isoformat(timespec="seconds")


@pytest.fixture
def window(app: Any) -> Any:
    """The production default: a 7-day backdating window."""
    from api.config import Config

    before = app.config["PAYMENT_BACKDATE_DAYS"]
    app.config["PAYMENT_BACKDATE_DAYS"] = Config.PAYMENT_BACKDATE_DAYS
    yield Config.PAYMENT_BACKDATE_DAYS
    app.config["PAYMENT_BACKDATE_DAYS"] = before


def test_money_older_than_the_window_is_quarantined_not_allocated(
    client: Any, field: Any, session: Any, window: int
) -> None:
    """Cash dated 30 days back is held for review (202), never allocated as of that day."""
    assert window == 7
    old = field.payment("50.00", collected_at=_ago(30))
    resp = client.post("/api/payments", json=old, headers=field.collector_auth)
    assert resp.status_code == 202 and "7 days" in resp.json["quarantine_reason"]
    assert _stored(session, old) == 0
    assert session.get(QuarantinedPayment, uuid.UUID(old["id"])) is not None
    for channel in ("field_qr", "counter"):
        auth = field.supervisor_auth if channel == "counter" else field.collector_auth
        other = field.payment("5.00", channel=channel, collected_at=_ago(8))
        assert client.post("/api/payments", json=other, headers=auth).status_code == 202
    recent = field.payment("50.00", collected_at=_ago(2))
    resp = client.post("/api/payments", json=recent, headers=field.collector_auth)
    assert resp.status_code == 201


def test_a_supervisor_releases_backdated_money_after_review(
    client: Any, field: Any, window: int
) -> None:
    """The quarantined old upload is released into the ledger by the supervisor."""
    old = field.payment("50.00", collected_at=_ago(30))
    assert client.post("/api/payments", json=old, headers=field.collector_auth).status_code == 202
    url = f"/api/money/quarantine/{old['id']}/release"
    assert client.post(url, headers=field.supervisor_auth).status_code == 201


def test_cash_collected_on_a_counted_day_is_quarantined(client: Any, field: Any) -> None:
    """After the collector's cash for 04-09 was counted, cash dated 04-09 waits for review."""
    body = {
        "id": str(uuid.uuid4()),
        "collector_id": field.collector.id,
        "business_date": "2026-04-09",
        "counted": "0.00",
    }
    counted = client.post("/api/cash/reconciliations", json=body, headers=field.supervisor_auth)
    assert counted.status_code == 201
    late = field.payment("25.00", collected_at="2026-04-09T17:00:00+08:00")
    resp = client.post("/api/payments", json=late, headers=field.collector_auth)
    assert resp.status_code == 202 and "counted" in resp.json["quarantine_reason"]
    nxt = field.payment("25.00", collected_at="2026-04-10T09:00:00+08:00")
    assert client.post("/api/payments", json=nxt, headers=field.collector_auth).status_code == 201
