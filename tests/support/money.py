"""Money fixtures: a station with a collector, a supervisor, an account and two bills."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from core.models import Role

COLLECTED = "2026-04-09T10:00:00+08:00"


@dataclass
class Field:
    station: Any
    collector: Any
    supervisor: Any
    account: Any
    old_bill: Any
    new_bill: Any
    collector_auth: dict[str, str]
    supervisor_auth: dict[str, str]

    def payment(self, amount: str = "50.00", **kw: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "account_id": self.account.id,
            "amount": amount,
            "channel": "field_cash",
            "collected_at": COLLECTED,
            "device_id": "phone-1",
        }
        body.update(kw)
        return body


@pytest.fixture
def field(factory: Any, client: Any) -> Field:
    station = factory.station()
    collector = factory.user(Role.COLLECTOR, station)
    supervisor = factory.user(Role.SUPERVISOR, station)
    account = factory.account(station, collector)
    old = factory.bill(account, dt.date(2026, 2, 1), "100.00", dt.date(2026, 3, 10))
    new = factory.bill(account, dt.date(2026, 3, 1), "80.00", dt.date(2026, 4, 10))
    return Field(
        station,
        collector,
        supervisor,
        account,
        old,
        new,
        factory.token(collector, client),
        factory.token(supervisor, client),
    )
