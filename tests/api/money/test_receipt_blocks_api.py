"""Device receipt series: blocks handed to a phone, numbers accepted once, only its own."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core.models import Payment, Role


def _block(client: Any, auth: dict[str, str], device: str = "phone-1") -> dict[str, Any]:
    resp = client.post("/api/me/receipt-blocks", json={"device_id": device}, headers=auth)
    assert resp.status_code == 201, resp.json
    return dict(resp.json)


def _no(block: dict[str, Any], offset: int = 0) -> str:
    return f"{block['prefix']}{block['first'] + offset:06d}"


def _upload(client: Any, field: Any, *bodies: dict[str, Any]) -> list[tuple[str, Any]]:
    resp = client.post(
        "/api/payments/batch", json={"items": list(bodies)}, headers=field.collector_auth
    )
    assert resp.status_code == 200
    return [(i["status"], i["reason"] or i.get("receipt_no")) for i in resp.json["items"]]


def test_blocks_follow_each_other_in_the_device_series(client: Any, field: Any) -> None:
    """A device's blocks carry the station code and device series and never overlap."""
    first = _block(client, field.collector_auth)
    second = _block(client, field.collector_auth)
    assert first["prefix"].startswith(f"{field.station.code}-D")
    assert first["first_no"] == _no(first) and first["first"] == 1
    assert second["prefix"] == first["prefix"] and second["first"] == first["last"] + 1
    other = _block(client, field.collector_auth, "phone-2")
    assert other["prefix"] != first["prefix"]
    listed = client.get(
        "/api/me/receipt-blocks",
        query_string={"device_id": "phone-1"},
        headers=field.collector_auth,
    )
    assert [b["first"] for b in listed.json["blocks"]] == [first["first"], second["first"]]


def test_a_receipt_from_the_devices_block_is_stored_once(
    client: Any, field: Any, session: Any
) -> None:
    """The phone's number is the payment's receipt; a resend replays, a reuse is rejected."""
    block = _block(client, field.collector_auth)
    paid = field.payment("20.00", receipt_no=_no(block, 3))
    assert _upload(client, field, paid, paid) == [
        ("created", _no(block, 3)),
        ("replayed", _no(block, 3)),
    ]
    reused = field.payment("5.00", receipt_no=_no(block, 3))
    assert _upload(client, field, reused) == [("rejected", "receipt_reused")]
    stored = session.scalars(select(Payment).where(Payment.receipt_no == _no(block, 3))).all()
    assert [p.amount for p in stored] == [Decimal("20.00")]


def test_a_receipt_of_another_device_is_rejected(
    client: Any, field: Any, factory: Any, session: Any
) -> None:
    """A number from the collector's other phone, or another collector's, is refused."""
    mine_elsewhere = _block(client, field.collector_auth, "phone-2")
    colleague = factory.user(Role.COLLECTOR, field.station)
    theirs = _block(client, factory.token(colleague, client), "phone-1")
    before = session.scalar(select(func.count()).select_from(Payment))
    assert (
        _upload(
            client,
            field,
            field.payment("5.00", receipt_no=_no(mine_elsewhere)),
            field.payment("5.00", receipt_no=_no(theirs)),
            field.payment("5.00", receipt_no="NOWHERE-D999999-000001"),
        )
        == [("rejected", "receipt_other_device")] * 3
    )
    assert session.scalar(select(func.count()).select_from(Payment)) == before


def test_a_receipt_outside_the_devices_blocks_is_rejected(client: Any, field: Any) -> None:
    """A counter past the last block issued (or before the first) is refused."""
    block = _block(client, field.collector_auth)
    past = f"{block['prefix']}{block['last'] + 1:06d}"
    zero = f"{block['prefix']}000000"
    late, early = field.payment("5.00", receipt_no=past), field.payment("5.00", receipt_no=zero)
    assert _upload(client, field, late, early) == [("rejected", "receipt_outside_blocks")] * 2
    _block(client, field.collector_auth)
    assert _upload(client, field, field.payment("5.00", receipt_no=past)) == [("created", past)]


def test_without_a_receipt_the_station_numbers_it(client: Any, field: Any) -> None:
    """An upload without receipt_no still gets the station's number (older phones)."""
    [(status, number)] = _upload(client, field, field.payment("5.00"))
    assert status == "created" and number.startswith(f"S{field.station.id}-")


def test_only_collectors_get_blocks_and_only_field_money_carries_them(
    client: Any, field: Any
) -> None:
    """A supervisor gets 403 for a block; a counter payment with a device receipt is refused."""
    resp = client.post(
        "/api/me/receipt-blocks", json={"device_id": "desk"}, headers=field.supervisor_auth
    )
    assert resp.status_code == 403
    block = _block(client, field.collector_auth)
    body = field.payment("5.00", channel="counter", receipt_no=_no(block))
    resp = client.post("/api/payments", json=body, headers=field.supervisor_auth)
    assert resp.status_code == 422 and resp.json["code"] == "receipt_not_allowed"
    bad = client.post(
        "/api/payments", json=field.payment(receipt_no="x"), headers=field.collector_auth
    )
    assert bad.status_code == 422 and "receipt_no" in bad.json["errors"]["json"]


def test_a_quarantined_upload_keeps_its_receipt_when_released(
    client: Any, field: Any, factory: Any
) -> None:
    """Cash for another's account is held with its number; released, the payment carries it."""
    other = factory.account(field.station, factory.user(Role.COLLECTOR, field.station))
    block = _block(client, field.collector_auth)
    body = field.payment("7.00", account_id=other.id, receipt_no=_no(block))
    [(status, _)] = _upload(client, field, body)
    assert status == "quarantined"
    assert _upload(client, field, field.payment("1.00", receipt_no=_no(block))) == [
        ("rejected", "receipt_reused")
    ]
    resp = client.post(f"/api/money/quarantine/{body['id']}/release", headers=field.supervisor_auth)
    assert resp.status_code in (200, 201), resp.json
    assert resp.json["receipt_no"] == _no(block)
