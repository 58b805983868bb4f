"""Supervisor money views: exceptions list, quarantine release, audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.models import Role


def test_quarantined_upload_is_listed_then_released_into_the_ledger(
    client: Any, field: Any, factory: Any
) -> None:
    """A supervisor sees the quarantined upload, releases it; the phone's resend replays it."""
    other = factory.account(field.station, factory.user(Role.COLLECTOR, field.station))
    factory.bill(other, dt.date(2026, 3, 1), "20.00", dt.date(2026, 4, 10))
    body = field.payment("20.00", account_id=other.id)
    assert client.post("/api/payments", json=body, headers=field.collector_auth).status_code == 202
    listed = client.get("/api/money/exceptions", headers=field.supervisor_auth).json
    assert [(e["kind"], e["id"], e["amount"]) for e in listed] == [
        ("quarantine", body["id"], "20.00")
    ]
    url = f"/api/money/quarantine/{body['id']}/release"
    released = client.post(url, headers=field.supervisor_auth)
    assert released.status_code == 201 and released.json["collector_id"] == field.collector.id
    assert client.post(url, headers=field.supervisor_auth).status_code == 200
    resend = client.post("/api/payments", json=body, headers=field.collector_auth)
    assert resend.status_code == 200 and resend.json["status"] == "replayed"
    assert client.get("/api/money/exceptions", headers=field.supervisor_auth).json == []


def test_overpayment_is_listed_for_the_supervisor(client: Any, field: Any) -> None:
    """Money beyond what the account owed shows up as an overpayment exception."""
    body = field.payment("500.00")
    client.post("/api/payments", json=body, headers=field.collector_auth)
    listed = client.get("/api/money/exceptions", headers=field.supervisor_auth).json
    assert [(e["kind"], e["id"], e["amount"]) for e in listed] == [
        ("overpayment", body["id"], "317.00")
    ]


def test_other_stations_do_not_see_the_exceptions(client: Any, field: Any, factory: Any) -> None:
    """A supervisor of another station sees an empty list and cannot release (404)."""
    other = factory.account(field.station, factory.user(Role.COLLECTOR, field.station))
    body = field.payment("20.00", account_id=other.id)
    client.post("/api/payments", json=body, headers=field.collector_auth)
    stranger = factory.token(factory.user(Role.SUPERVISOR, factory.station()), client)
    assert client.get("/api/money/exceptions", headers=stranger).json == []
    url = f"/api/money/quarantine/{body['id']}/release"
    assert client.post(url, headers=stranger).status_code == 404


def test_audit_trail_records_who_when_and_device(client: Any, field: Any) -> None:
    """The audit entry of a payment names the collector and the device."""
    body = field.payment("10.00", device_id="phone-42")
    client.post("/api/payments", json=body, headers=field.collector_auth)
    rows = client.get(
        f"/api/money/audit?entity_id={body['id']}", headers=field.supervisor_auth
    ).json
    assert [(r["event"], r["actor_id"], r["device_id"], r["amount"]) for r in rows] == [
        ("payment.created", field.collector.id, "phone-42", "10.00")
    ]
    assert client.get("/api/money/audit", headers=field.collector_auth).status_code == 403
