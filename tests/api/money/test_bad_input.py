"""Hostile input to the money endpoints: always a 4xx problem, never a 5xx."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

HUGE = 2**70


@pytest.mark.parametrize(
    "change",
    [
        {"account_id": HUGE},
        {"account_id": 2**31},
        {"account_id": True},
        {"account_id": "1"},
        {"collected_at": "0001-01-01T00:00:00+14:00"},
        {"collected_at": "9999-12-31T23:59:59-12:00"},
        {"collected_at": "2026-04-09T10:00:00"},
        {"device_id": "phone\x00"},
        {"device_id": "x" * 65},
        {"bill_ids": [HUGE]},
        {"bill_ids": list(range(1, 30))},
        {"channel": "cash"},
        {"id": "not-a-uuid"},
    ],
)
def test_bad_payment_fields_are_422(client: Any, field: Any, change: dict[str, Any]) -> None:
    """Out-of-range ids, impossible instants, NUL text and unknown values answer 422."""
    resp = client.post(
        "/api/payments", json=field.payment("1.00", **change), headers=field.collector_auth
    )
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"


@pytest.mark.parametrize("raw", ["[]", "null", "1", '"x"', "{", ""])
def test_non_object_bodies_are_4xx(client: Any, field: Any, raw: str) -> None:
    """A body that is not a JSON object is refused with a 4xx problem."""
    resp = client.post(
        "/api/payments", data=raw, content_type="application/json", headers=field.collector_auth
    )
    assert 400 <= resp.status_code < 500 and resp.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "url",
    [
        "/api/arrears/1?as_of=0001-01-01",
        "/api/arrears/1?as_of=9999-12-31",
        f"/api/arrears/{HUGE}",
        "/api/arrears?as_of=9999-12-31",
        f"/api/cash/collectors/{HUGE}",
        "/api/money/audit?account_id=99999999999999999999",
        f"/api/payments/{uuid.uuid4()}",
    ],
)
def test_bad_queries_are_4xx(client: Any, field: Any, url: str) -> None:
    """Dates out of range and huge ids in queries answer 404 or 422."""
    resp = client.get(url, headers=field.supervisor_auth)
    assert resp.status_code in (404, 422), resp.json


def test_cash_count_for_a_year_9999_day_is_422(client: Any, field: Any) -> None:
    """Reconciling a day far in the future is refused before any date arithmetic."""
    body = {
        "id": str(uuid.uuid4()),
        "collector_id": field.collector.id,
        "business_date": "9999-12-31",
        "counted": "0.00",
    }
    resp = client.post("/api/cash/reconciliations", json=body, headers=field.supervisor_auth)
    assert resp.status_code == 422
