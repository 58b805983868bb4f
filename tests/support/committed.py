"""Committed test data for tests and benchmarks that need real transactions.

The ledger refuses DELETE, so these rows stay: every code is unique.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from geoalchemy2.elements import WKTElement
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.models import (
    Account,
    AccountResponsibility,
    Bill,
    Category,
    County,
    Role,
    Station,
    User,
)

PASSWORD = "secret-pass-1"


@dataclass(frozen=True)
class CommittedField:
    station_id: int
    collector_ids: tuple[int, ...]
    usernames: tuple[str, ...]
    account_ids: tuple[int, ...]
    supervisor: str = ""


def committed_field(
    engine: Engine, passwords: Any, *, collectors: int = 1, accounts_per_collector: int = 1
) -> CommittedField:
    """A station, its collectors (password ``PASSWORD``) and their accounts, committed."""
    tag = uuid.uuid4().hex[:10]
    point = WKTElement("POINT(110.30 34.14)", srid=4326)
    with Session(engine) as s, s.begin():
        county = County(code=f"C-{tag}", name="并发测试县")
        s.add(county)
        s.flush()
        station = Station(
            county_id=county.id,
            code=f"S-{tag}",
            name="并发测试所",
            depot=point,
            timezone="Asia/Shanghai",
        )
        s.add(station)
        s.flush()
        users = [
            User(
                username=f"c-{tag}-{i}",
                display_name=f"收费员{i}",
                password_hash=passwords.hash(PASSWORD),
                role=Role.COLLECTOR,
                stations=[station],
            )
            for i in range(collectors)
        ]
        supervisor = User(
            username=f"s-{tag}",
            display_name="所长",
            password_hash=passwords.hash(PASSWORD),
            role=Role.SUPERVISOR,
            stations=[station],
        )
        s.add_all([*users, supervisor])
        s.flush()
        account_ids = []
        for user in users:
            for j in range(accounts_per_collector):
                account = Account(
                    station_id=station.id,
                    number=f"A{tag}{user.id}-{j}",
                    name="李四",
                    address="测试村",
                    village="测试村",
                    category=Category.RESIDENTIAL,
                    location=point,
                    responsible_id=user.id,
                )
                s.add(account)
                s.flush()
                s.add(
                    AccountResponsibility(
                        account_id=account.id, collector_id=user.id, valid_from=dt.date(2020, 1, 1)
                    )
                )
                s.add(
                    Bill(
                        account_id=account.id,
                        period=dt.date(2026, 3, 1),
                        amount=Decimal("80.00"),
                        due_date=dt.date(2026, 4, 10),
                    )
                )
                account_ids.append(account.id)
        return CommittedField(
            station.id,
            tuple(u.id for u in users),
            tuple(u.username for u in users),
            tuple(account_ids),
            supervisor.username,
        )
