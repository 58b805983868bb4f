"""Money answers that must not tell which ids exist elsewhere (issue 16.14)."""

from __future__ import annotations

from typing import Any

from core.models import Role


def test_unknown_and_foreign_accounts_quarantine_with_the_same_reason(
    client: Any, field: Any, factory: Any
) -> None:
    """A collector's upload for a missing account and for another's account read the same."""
    other = factory.account(field.station, factory.user(Role.COLLECTOR, field.station))
    missing = field.payment("20.00", account_id=2_000_000_000)
    foreign = field.payment("20.00", account_id=other.id)
    a = client.post("/api/payments", json=missing, headers=field.collector_auth)
    b = client.post("/api/payments", json=foreign, headers=field.collector_auth)
    assert (a.status_code, b.status_code) == (202, 202)
    assert a.json["quarantine_reason"] == b.json["quarantine_reason"]


def test_a_supervisor_cannot_tell_another_stations_accounts_by_uploading(
    client: Any, field: Any, factory: Any
) -> None:
    """A supervisor's counter payment for another station's account reads like a missing one."""
    elsewhere = factory.account(factory.station())
    missing = field.payment("20.00", channel="counter", account_id=2_000_000_000)
    foreign = field.payment("20.00", channel="counter", account_id=elsewhere.id)
    a = client.post("/api/payments", json=missing, headers=field.supervisor_auth)
    b = client.post("/api/payments", json=foreign, headers=field.supervisor_auth)
    assert (a.status_code, b.status_code) == (202, 202)
    assert a.json["quarantine_reason"] == b.json["quarantine_reason"]


def test_a_channel_notice_for_another_stations_number_reveals_no_internal_id(
    client: Any, field: Any, factory: Any
) -> None:
    """A supervisor cannot relay a notice naming another station's account number (403, no
    lookup, no id); a channel client, which acts for the whole county, stores it."""
    elsewhere = factory.account(factory.station())
    notice = {
        "channel": "alipay",
        "channel_txn_id": "ALI-LEAK-1",
        "account_number": elsewhere.number,
        "amount": "10.00",
        "paid_at": "2026-04-09T12:00:00+08:00",
    }
    resp = client.post("/api/payments/notifications", json=notice, headers=field.supervisor_auth)
    assert resp.status_code == 403 and str(elsewhere.number) not in resp.get_data(as_text=True)
    assert field.notify(notice).status_code == 201
