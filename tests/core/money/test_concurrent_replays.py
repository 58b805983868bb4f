"""Concurrent replays over real transactions: one payment id, one row, never an empty answer."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.models import Payment, PaymentAllocation
from core.models.ledger_extra import MoneyAudit
from tests.support.committed import PASSWORD, committed_field


@pytest.fixture(scope="module")
def live_app(engine: Engine) -> Iterator[Any]:
    """An app whose requests commit for real on their own connections."""
    from api import create_app
    from api.config import TestConfig

    app = create_app(TestConfig, DATABASE_URL=engine.url.render_as_string(hide_password=False))
    yield app
    app.extensions["db_engine"].dispose()


def test_hundred_concurrent_replays_store_one_row(engine: Engine, live_app: Any) -> None:
    """100 threads send one payment at once: one 201, 99 replays, one row, one audit row."""
    field = committed_field(engine, live_app.extensions["passwords"])
    login = live_app.test_client().post(
        "/api/auth/login", json={"username": field.usernames[0], "password": PASSWORD}
    )
    auth = {"Authorization": f"Bearer {login.json['access_token']}"}
    body = {
        "id": str(uuid.uuid4()),
        "account_id": field.account_ids[0],
        "amount": "30.00",
        "channel": "field_cash",
        "collected_at": "2026-04-09T10:00:00+08:00",
        "device_id": "phone-c",
    }

    def send(_: int) -> tuple[int, str | None]:
        resp = live_app.test_client().post("/api/payments", json=body, headers=auth)
        return resp.status_code, (resp.json or {}).get("receipt_no")

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(send, range(100)))
    codes = Counter(code for code, _ in results)
    assert codes == Counter({201: 1, 200: 99})
    assert len({receipt for _, receipt in results}) == 1  # never an empty answer
    pid = uuid.UUID(body["id"])
    with Session(engine) as s:
        assert s.scalar(select(func.count()).where(Payment.id == pid)) == 1
        allocated = s.scalar(
            select(func.sum(PaymentAllocation.principal)).where(PaymentAllocation.payment_id == pid)
        )
        assert allocated == 30
        assert s.scalar(select(func.count()).where(MoneyAudit.entity_id == pid)) == 1


def test_concurrent_different_payments_never_overallocate(engine: Engine, live_app: Any) -> None:
    """20 different 10.00 payments race on one 80.00 bill: 80.00 allocated, 120.00 over."""
    field = committed_field(engine, live_app.extensions["passwords"])
    login = live_app.test_client().post(
        "/api/auth/login", json={"username": field.usernames[0], "password": PASSWORD}
    )
    auth = {"Authorization": f"Bearer {login.json['access_token']}"}

    def send(_: int) -> int:
        body = {
            "id": str(uuid.uuid4()),
            "account_id": field.account_ids[0],
            "amount": "10.00",
            "channel": "field_cash",
            "collected_at": "2026-04-09T10:00:00+08:00",
        }
        return live_app.test_client().post("/api/payments", json=body, headers=auth).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        assert set(pool.map(send, range(20))) == {201}
    with Session(engine) as s:
        ids = select(Payment.id).where(Payment.account_id == field.account_ids[0])
        allocated = s.scalar(
            select(func.sum(PaymentAllocation.principal)).where(
                PaymentAllocation.payment_id.in_(ids)
            )
        )
        assert allocated == 80


def _login(app: Any, username: str) -> dict[str, str]:
    resp = app.test_client().post(
        "/api/auth/login", json={"username": username, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {resp.json['access_token']}"}


def test_a_count_racing_uploads_covers_each_payment_exactly_once(
    engine: Engine, live_app: Any
) -> None:
    """40 uploads race a cash count: this count and the next one hold every fen once (an
    upload landing after the count of its day waits for review, its cash counted all the same)."""
    field = committed_field(engine, live_app.extensions["passwords"])
    collector, supervisor = _login(live_app, field.usernames[0]), _login(live_app, field.supervisor)
    collector_id = field.collector_ids[0]

    def upload(i: int) -> int:
        body = {
            "id": str(uuid.uuid4()),
            "account_id": field.account_ids[0],
            "amount": "1.00",
            "channel": "field_cash",
            "collected_at": "2026-04-09T10:00:00+08:00",
        }
        return (
            live_app.test_client().post("/api/payments", json=body, headers=collector).status_code
        )

    def count(day: str, counted: str) -> Any:
        body = {
            "id": str(uuid.uuid4()),
            "collector_id": collector_id,
            "business_date": day,
            "counted": counted,
        }
        resp = live_app.test_client().post(
            "/api/cash/reconciliations", json=body, headers=supervisor
        )
        assert resp.status_code == 201, resp.json
        return resp.json

    with ThreadPoolExecutor(max_workers=8) as pool:
        uploads = [pool.submit(upload, i) for i in range(40)]
        first = pool.submit(count, "2026-04-09", "0.00").result()
        assert {u.result() for u in uploads} <= {201, 202}
    second = count("2026-04-10", "0.00")
    assert Decimal(first["collected"]) + Decimal(second["collected"]) == Decimal("40.00")
    assert Decimal(second["opening"]) == Decimal(first["counted"])
