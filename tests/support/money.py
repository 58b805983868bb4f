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
    client: Any = None
    factory: Any = None

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

    def notify(
        self, notice: dict[str, Any], *, at: float | None = None, signer: str | None = None
    ) -> Any:
        """POST ``notice`` to /api/channels/notices signed by its channel's client (or by
        the client of ``signer``)."""
        return signed_notice(self.client, self.factory, notice, at=at, signer=signer)


def signed_notice(
    client: Any,
    factory: Any,
    notice: dict[str, Any],
    *,
    at: float | None = None,
    signer: str | None = None,
) -> Any:
    """POST a channel client's signed notice (the client is registered on first use)."""
    import json
    import time

    from core.money import channel_clients

    cache = factory.__dict__.setdefault("_channel_clients", {})
    channel = signer or notice["channel"]
    if channel not in cache:
        cache[channel] = channel_clients.register(
            factory.session,
            factory.app.extensions["passwords"],
            f"test-{channel}-{uuid.uuid4().hex[:8]}",
            channel,
        )
    done = cache[channel]
    body = json.dumps(notice).encode()
    stamp = str(int(at if at is not None else time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Channel-Client": done.client.name,
        "X-Channel-Timestamp": stamp,
        "X-Channel-Signature": channel_clients.signature(done.secret, stamp, body),
    }
    return client.post("/api/channels/notices", data=body, headers=headers)


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
        client,
        factory,
    )
