"""The review queue cannot be buried (issue 16.13): keyset pages newest first, and a
per-uploader daily cap on quarantines, refused loudly past it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from core.models import Role
from core.models.ledger_extra import QuarantinedPayment
from core.money import field_checks


def _foreign(field: Any, factory: Any) -> Any:
    return factory.account(field.station, factory.user(Role.COLLECTOR, field.station))


def test_quarantines_past_the_daily_cap_are_refused_loudly(
    client: Any, field: Any, factory: Any, session: Any, monkeypatch: Any
) -> None:
    """Past the uploader's daily cap an upload that would wait for review is 422."""
    monkeypatch.setattr(field_checks, "REVIEW_DAILY_CAP", 2)
    other = _foreign(field, factory)
    bodies = [field.payment("5.00", account_id=other.id) for _ in range(3)]
    codes = [
        client.post("/api/payments", json=b, headers=field.collector_auth).status_code
        for b in bodies
    ]
    assert codes == [202, 202, 422]
    third = client.post("/api/payments", json=bodies[2], headers=field.collector_auth)
    assert third.json["code"] == "review_queue_full" and "supervisor" in third.json["detail"]
    assert session.get(QuarantinedPayment, uuid.UUID(bodies[2]["id"])) is None
    # A resend of a held upload is still its replay, and the collector's own money goes in.
    again = client.post("/api/payments", json=bodies[0], headers=field.collector_auth)
    assert again.status_code == 202 and again.json["replay"] is True
    assert client.post(
        "/api/payments", json=field.payment("5.00"), headers=field.collector_auth
    ).status_code == 201


def test_the_queue_is_paged_newest_first_by_keyset(
    client: Any, field: Any, factory: Any, session: Any, monkeypatch: Any
) -> None:
    """Five held uploads in pages of two: every one once, newest first; an old one last."""
    monkeypatch.setattr(field_checks, "REVIEW_DAILY_CAP", 100)
    other = _foreign(field, factory)
    old = QuarantinedPayment(
        id=uuid.uuid4(), station_id=field.station.id, account_id=other.id, amount=1,
        channel="field_cash", collector_id=field.collector.id,
        collected_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC), reason="old", body={},
        body_hash="0" * 64, recorded_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
    )
    session.add(old)
    session.flush()
    for _ in range(4):
        body = field.payment("5.00", account_id=other.id)
        resp = client.post("/api/payments", json=body, headers=field.collector_auth)
        assert resp.status_code == 202
    seen: list[dict[str, Any]] = []
    url = "/api/money/exceptions?limit=2"
    while url:
        resp = client.get(url, headers=field.supervisor_auth)
        assert resp.status_code == 200 and len(resp.json) <= 2
        seen += resp.json
        cursor = resp.headers.get("X-Next-Cursor")
        url = f"/api/money/exceptions?limit=2&cursor={cursor}" if cursor else ""
    assert len(seen) == 5 and len({e["id"] for e in seen}) == 5
    keys = [(e["created_at"], e["id"]) for e in seen]
    assert keys == sorted(keys, reverse=True) and seen[-1]["id"] == str(old.id)


@pytest.mark.parametrize("cursor", ["nonsense", "bm90IGEgY3Vyc29y", "x" * 300])
def test_a_bad_cursor_is_422(client: Any, field: Any, cursor: str) -> None:
    """A cursor this list did not hand out is refused with 422, never 500."""
    resp = client.get(f"/api/money/exceptions?cursor={cursor}", headers=field.supervisor_auth)
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"


def test_a_resolution_is_recorded_once_and_the_record_is_append_only(
    client: Any, field: Any, factory: Any, session: Any
) -> None:
    """A supervisor resolves an overpayment and a quarantine once each (a second try is 409),
    they leave the open list with their resolution, and the record cannot be changed."""
    from sqlalchemy import text

    over = field.payment("500.00")
    client.post("/api/payments", json=over, headers=field.collector_auth)
    held = field.payment("5.00", account_id=_foreign(field, factory).id)
    client.post("/api/payments", json=held, headers=field.collector_auth)
    body = {"action": "kept_as_credit", "note": "customer keeps it for next month"}
    for pid in (over["id"], held["id"]):
        url = f"/api/money/exceptions/{pid}/resolution"
        first = client.post(url, json=body, headers=field.supervisor_auth)
        assert first.status_code == 201 and first.json["resolution"]["kind"] == "kept_as_credit"
        assert client.post(url, json=body, headers=field.supervisor_auth).status_code == 409
    assert client.get("/api/money/exceptions", headers=field.supervisor_auth).json == []
    done = client.get("/api/money/exceptions?state=resolved", headers=field.supervisor_auth).json
    assert {e["id"] for e in done} == {over["id"], held["id"]}
    release = f"/api/money/quarantine/{held['id']}/release"
    assert client.post(release, headers=field.supervisor_auth).status_code == 409
    # Refused to the application role (REVOKE; the owner meets the trigger).
    refused = pytest.raises(Exception, match="permission denied|append-only")
    with refused, session.begin_nested():
        session.execute(text("UPDATE exception_resolution SET note = 'x'"))
    audit = client.get(
        f"/api/money/audit?entity_id={over['id']}", headers=field.supervisor_auth
    ).json
    assert "exception.resolved" in {a["event"] for a in audit}
    collector = client.post(
        f"/api/money/exceptions/{over['id']}/resolution", json=body, headers=field.collector_auth
    )
    assert collector.status_code == 403
