"""Group payments and deposits over real transactions: one row per id, never overdrawn."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from core.models import Account, Payment
from core.models.group_prepaid import GroupPayment, GroupPaymentPart, PrepaidDraw
from core.models.ledger_extra import MoneyAudit
from core.money import amount_due
from core.money.group_prepaid_checks import check_group_prepaid
from core.money.invariants import check_ledger
from core.money.prepaid import prepaid_balance
from tests.support.committed import PASSWORD, committed_field

TODAY = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture(scope="module")
def live_app(engine: Engine) -> Iterator[Any]:
    """An app whose requests commit for real on their own connections."""
    from api import create_app
    from api.config import TestConfig

    app = create_app(TestConfig, DATABASE_URL=engine.url.render_as_string(hide_password=False))
    yield app
    app.extensions["db_engine"].dispose()


def _supervisor(live_app: Any, username: str) -> dict[str, str]:
    login = live_app.test_client().post(
        "/api/auth/login", json={"username": username, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {login.json['access_token']}"}


def test_fifty_concurrent_group_replays_store_one_payment(engine: Engine, live_app: Any) -> None:
    """50 threads send one group payment at once: one 201, 49 replays, one set of children."""
    field = committed_field(
        engine, live_app.extensions["passwords"], collectors=2, accounts_per_collector=3
    )
    code = f"G-{uuid.uuid4().hex[:8]}"
    with Session(engine) as s, s.begin():
        s.execute(update(Account).where(Account.id.in_(field.account_ids)).values(group_code=code))
    auth = _supervisor(live_app, field.supervisor)
    body = {
        "id": str(uuid.uuid4()),
        "amount": "300.00",
        "channel": "bank",
        "collected_at": "2026-04-09T10:00:00+08:00",
    }

    def send(_: int) -> tuple[int, int]:
        resp = live_app.test_client().post(f"/api/groups/{code}/payments", json=body, headers=auth)
        return resp.status_code, len((resp.json or {}).get("parts") or [])

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(send, range(50)))
    assert Counter(code for code, _ in results) == Counter({201: 1, 200: 49})
    assert len({parts for _, parts in results}) == 1  # never an empty answer
    gid = uuid.UUID(body["id"])
    with Session(engine) as s:
        assert s.scalar(select(func.count()).where(GroupPayment.id == gid)) == 1
        parts = s.scalar(select(func.count()).where(GroupPaymentPart.group_payment_id == gid))
        assert parts == results[0][1] == 4  # 4 x 80.00 + fees > 300.00
        assert s.scalar(select(func.count()).where(MoneyAudit.entity_id == gid)) == 1
        assert check_ledger(s, [field.station_id]) == {}
        assert check_group_prepaid(s) == {}


def test_concurrent_deposits_and_auto_pays_never_overdraw(engine: Engine, live_app: Any) -> None:
    """20 deposits of 10.00 and 20 auto-pay runs race on one account: paid once, balance exact."""
    field = committed_field(engine, live_app.extensions["passwords"])
    account_id = field.account_ids[0]
    with Session(engine) as s:
        owed = amount_due(s, account_id, TODAY).total
    auth = _supervisor(live_app, field.supervisor)
    url = f"/api/accounts/{account_id}/deposits"

    def send(i: int) -> int:
        client = live_app.test_client()
        if i % 2:
            return int(client.post(f"{url}/autopay", headers=auth).status_code)
        body = {
            "id": str(uuid.uuid4()),
            "amount": "10.00",
            "channel": "alipay",
            "collected_at": "2026-04-09T10:00:00+08:00",
        }
        return int(client.post(url, json=body, headers=auth).status_code)

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = Counter(pool.map(send, range(40)))
    assert codes == Counter({201: 20, 200: 20})
    with Session(engine) as s:
        drawn = s.scalar(
            select(func.sum(PrepaidDraw.amount)).where(PrepaidDraw.account_id == account_id)
        )
        assert drawn == min(owed, Decimal("200.00"))
        assert prepaid_balance(s, account_id) == Decimal("200.00") - drawn
        assert amount_due(s, account_id, TODAY).total == owed - drawn
        prepaid = s.scalar(
            select(func.count()).where(
                Payment.account_id == account_id, Payment.channel == "prepaid"
            )
        )
        assert prepaid == s.scalar(select(func.count()).where(PrepaidDraw.account_id == account_id))
        assert check_ledger(s, [field.station_id]) == {}
        assert check_group_prepaid(s) == {}
