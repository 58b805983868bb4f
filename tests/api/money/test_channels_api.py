"""Online channels: notices and CSV imports deduplicated by (channel, transaction id)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.models import Channel, Payment, Role
from core.money.payments import channel_payment_id


def _notice(field: Any, txn: str = "ALI-0001", amount: str = "80.00") -> dict[str, Any]:
    return {
        "channel": "alipay",
        "channel_txn_id": txn,
        "account_number": field.account.number,
        "amount": amount,
        "paid_at": "2026-04-09T12:00:00+08:00",
    }


def test_notice_is_stored_once_per_channel_transaction(client: Any, field: Any) -> None:
    """The same notice twice: 201 then a replay; its id derives from channel and txn id."""
    first = field.notify(_notice(field))
    again = field.notify(_notice(field))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["id"] == str(channel_payment_id(Channel.ALIPAY, "ALI-0001"))
    internal = {"account_id", "allocations", "collector_id", "receipt_no", "device_id"}
    assert internal.isdisjoint(first.json) and internal.isdisjoint(again.json)


def test_a_notice_answer_reveals_no_internal_id(client: Any, field: Any) -> None:
    """Paid or quarantined (a number no station has), the channel learns the payment's id and
    status, never an account, bill or collector id (issue 16, item 14)."""
    paid = field.notify(_notice(field))
    lost = field.notify(dict(_notice(field, txn="ALI-LOST"), account_number="NO-SUCH-NUMBER"))
    assert (paid.status_code, lost.status_code) == (201, 202)
    for resp in (paid, lost):
        assert set(resp.json) <= {
            "status",
            "replay",
            "id",
            "amount",
            "channel",
            "collected_at",
            "recorded_at",
            "overpayment",
            "quarantine_reason",
        }, resp.json


def test_notice_with_a_changed_amount_is_422(client: Any, field: Any) -> None:
    """A channel transaction replayed with another amount is refused."""
    field.notify(_notice(field))
    resp = field.notify(_notice(field, amount="81.00"))
    assert resp.status_code == 422 and resp.json["code"] == "id_conflict"


def test_paid_online_drops_off_the_arrears_at_once(client: Any, field: Any) -> None:
    """After an Alipay notice pays both bills nothing is owed."""
    field.notify(_notice(field, amount="183.00"))
    due = client.get(
        f"/api/arrears/{field.account.id}?as_of=2026-04-09", headers=field.collector_auth
    ).json
    assert (due["total"], due["bills"], due["stage"]) == ("0.00", [], "none")


def test_csv_import_dedupes_with_notices_and_itself(client: Any, field: Any, session: Any) -> None:
    """A bank file re-imported adds nothing; a bad row is itemised; unknown accounts wait."""
    csv = (
        "channel_txn_id,account_number,amount,paid_at\n"
        f"B-1,{field.account.number},10.00,2026-04-09T09:00:00+08:00\n"
        f"B-2,{field.account.number},0.105,2026-04-09T09:00:00+08:00\n"
        "B-3,NO-SUCH-ACCOUNT,5.00,2026-04-09T09:00:00+08:00\n"
    )
    url = "/api/payments/import?channel=bank"
    headers = {**field.supervisor_auth, "Content-Type": "text/csv"}
    first = client.post(url, data=csv, headers=headers).json
    assert [i["status"] for i in first["items"]] == ["created", "rejected", "quarantined"]
    again = client.post(url, data=csv, headers=headers).json
    assert [i["status"] for i in again["items"]] == ["replayed", "rejected", "quarantined"]
    stmt = select(func.count()).where(Payment.account_id == field.account.id)
    assert session.scalar(stmt) == 1


def test_csv_with_a_wrong_header_is_refused(client: Any, field: Any) -> None:
    """A file whose header is not the agreed one is refused as a whole."""
    headers = {**field.supervisor_auth, "Content-Type": "text/csv"}
    resp = client.post("/api/payments/import?channel=kiosk", data="a,b\n1,2\n", headers=headers)
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"


def test_staff_tokens_cannot_post_channel_notices(client: Any, field: Any, factory: Any) -> None:
    """Notices come from channel clients (16.11): collectors and supervisors get 403 on the
    hand-entry path (admins only), and a staff token is no signature on the channel path."""
    for auth in (field.collector_auth, field.supervisor_auth):
        resp = client.post("/api/payments/notifications", json=_notice(field), headers=auth)
        assert resp.status_code == 403
        signed_path = client.post("/api/channels/notices", json=_notice(field), headers=auth)
        assert signed_path.status_code == 401
    admin = factory.token(factory.user(Role.ADMIN), client)
    resp = client.post("/api/payments/notifications", json=_notice(field), headers=admin)
    assert resp.status_code == 201


def test_a_notice_needs_a_fresh_signature_by_its_own_channels_client(
    client: Any, field: Any, factory: Any
) -> None:
    """A stale timestamp (replay window), a tampered body or another channel's client: 401
    or 403, nothing stored; the genuine signed notice is stored once."""
    import json
    import time

    from core.money import channel_clients

    stale = field.notify(_notice(field, txn="SIG-1"), at=time.time() - 3600)
    assert stale.status_code == 401 and stale.mimetype == "application/problem+json"
    future = field.notify(_notice(field, txn="SIG-1"), at=time.time() + 3600)
    assert future.status_code == 401
    ok = field.notify(_notice(field, txn="SIG-1"))
    assert ok.status_code == 201
    other_channel = field.notify(_notice(field, txn="SIG-2"), signer="bank")
    assert other_channel.status_code == 403
    signer = factory._channel_clients["alipay"]
    stamp = str(int(time.time()))
    signed = json.dumps(_notice(field, txn="SIG-3")).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Channel-Client": signer.client.name,
        "X-Channel-Timestamp": stamp,
        "X-Channel-Signature": channel_clients.signature(signer.secret, stamp, signed),
    }
    sent = json.dumps(_notice(field, txn="SIG-3", amount="1.00")).encode()
    assert client.post("/api/channels/notices", data=sent, headers=headers).status_code == 401
    assert client.post("/api/channels/notices", data=signed, headers=headers).status_code == 201


def test_openapi_documents_money_as_patterned_strings(client: Any) -> None:
    """The spec lists the money paths and an amount is a string with a pattern."""
    spec = client.get("/api/openapi.json").json
    assert {"/api/payments", "/api/payments/batch", "/api/cash/reconciliations"} <= set(
        spec["paths"]
    )
    amount = spec["components"]["schemas"]["Payment"]["properties"]["amount"]
    assert amount["type"] == "string" and amount["pattern"].startswith("^")


def test_prepaid_is_not_a_channel_a_notice_may_claim(client: Any, field: Any, session: Any) -> None:
    """A 'prepaid' notice or import is refused (16.11): only the server's own draws are prepaid."""
    notice = dict(_notice(field, txn="PRE-1"), channel="prepaid")
    resp = field.notify(notice, signer="alipay")
    assert resp.status_code == 422
    csv = "channel_txn_id,account_number,amount,paid_at\n"
    resp = client.post(
        "/api/payments/import?channel=prepaid",
        data=csv,
        headers=field.supervisor_auth | {"Content-Type": "text/csv"},
    )
    assert resp.status_code == 422
    stored = session.scalar(
        select(func.count())
        .select_from(Payment)
        .where(Payment.account_id == field.account.id, Payment.channel == Channel.PREPAID)
    )
    assert stored == 0
    spec = client.get("/api/openapi.json").json["components"]["schemas"]["Notice"]
    assert "prepaid" not in spec["properties"]["channel"]["enum"]
