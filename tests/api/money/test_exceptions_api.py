"""Supervisor money views: exceptions list, quarantine release, audit trail."""

from __future__ import annotations

import datetime as dt
import uuid
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


def _ids(client: Any, headers: Any, query: str = "") -> list[tuple[str, str]]:
    resp = client.get(f"/api/money/exceptions{query}", headers=headers)
    assert resp.status_code == 200, resp.json
    return [(e["kind"], e["id"]) for e in resp.json]


def test_a_cross_station_quarantine_is_seen_by_both_and_released_by_the_owner(
    client: Any, field: Any, factory: Any
) -> None:
    """Cash taken for another station's account: both stations list it, only the account's
    station releases it, then it leaves both lists and the phone's resend replays."""
    owner = factory.station()
    theirs = factory.account(owner, factory.user(Role.COLLECTOR, owner))
    factory.bill(theirs, dt.date(2026, 3, 1), "30.00", dt.date(2026, 4, 10))
    owner_sup = factory.token(factory.user(Role.SUPERVISOR, owner), client)
    body = field.payment("30.00", account_id=theirs.id)
    assert client.post("/api/payments", json=body, headers=field.collector_auth).status_code == 202
    held = ("quarantine", body["id"])
    assert held in _ids(client, field.supervisor_auth)
    assert held in _ids(client, owner_sup)
    listed = client.get("/api/money/exceptions", headers=owner_sup).json
    assert listed[0]["owner_station_id"] == owner.id
    url = f"/api/money/quarantine/{body['id']}/release"
    assert client.post(url, headers=field.supervisor_auth).status_code == 403
    released = client.post(url, headers=owner_sup)
    assert released.status_code == 201, released.json
    assert released.json["account_id"] == theirs.id
    assert released.json["collector_id"] == field.collector.id
    assert held not in _ids(client, field.supervisor_auth)
    assert held not in _ids(client, owner_sup)
    resend = client.post("/api/payments", json=body, headers=field.collector_auth)
    assert resend.status_code == 200 and resend.json["status"] == "replayed"


def test_an_unknown_account_quarantine_is_retargeted_audited_and_released(
    client: Any, field: Any, factory: Any, session: Any
) -> None:
    """A supervisor re-targets an upload for a missing account to an account of their
    station (audited, append-only), then releases it; the phone's resend replays."""
    from sqlalchemy import select

    from core.models import Payment
    from core.models.ledger_extra import MoneyAudit, QuarantineRetarget

    body = field.payment("25.00", account_id=987654321)
    assert client.post("/api/payments", json=body, headers=field.collector_auth).status_code == 202
    url = f"/api/money/quarantine/{body['id']}/retarget"
    elsewhere = factory.account(factory.station())
    refused = client.post(
        url,
        json={"account_id": elsewhere.id, "reason": "wrong number"},
        headers=field.supervisor_auth,
    )
    assert refused.status_code == 422 and "account_id" in refused.json["errors"]["json"]
    moved = client.post(
        url,
        json={"account_id": field.account.id, "reason": "typed the neighbour's number"},
        headers=field.supervisor_auth,
    )
    assert moved.status_code == 201, moved.json
    assert (moved.json["account_id"], moved.json["retargeted_from"]) == (
        field.account.id,
        987654321,
    )
    rows = session.scalars(select(QuarantineRetarget)).all()
    assert [(r.account_id, r.actor_id) for r in rows] == [(field.account.id, field.supervisor.id)]
    audit = session.scalars(
        select(MoneyAudit).where(MoneyAudit.event == "payment.quarantine_retargeted")
    ).one()
    assert audit.detail["from_account_id"] == 987654321
    release = client.post(
        f"/api/money/quarantine/{body['id']}/release", headers=field.supervisor_auth
    )
    assert release.status_code == 201, release.json
    assert session.get(Payment, release.json["id"]).account_id == field.account.id
    resend = client.post("/api/payments", json=body, headers=field.collector_auth)
    assert resend.status_code == 200 and resend.json["status"] == "replayed"


def test_a_reversed_overpayment_leaves_the_open_list(client: Any, field: Any) -> None:
    """Once its payment is reversed an overpayment is resolved: off the open list, in the
    resolved history with what resolved it."""
    body = field.payment("500.00")
    client.post("/api/payments", json=body, headers=field.collector_auth)
    assert _ids(client, field.supervisor_auth) == [("overpayment", body["id"])]
    reversal = {"id": str(uuid.uuid4()), "reason": "counted twice"}
    resp = client.post(
        f"/api/payments/{body['id']}/reversal", json=reversal, headers=field.supervisor_auth
    )
    assert resp.status_code == 201, resp.json
    assert _ids(client, field.supervisor_auth) == []
    history = client.get("/api/money/exceptions?state=resolved", headers=field.supervisor_auth)
    [entry] = history.json
    assert (entry["kind"], entry["id"]) == ("overpayment", body["id"])
    assert entry["resolution"]["kind"] == "reversed"
    assert entry["resolution"]["id"] == reversal["id"]
    assert len(_ids(client, field.supervisor_auth, "?state=all")) == 1
