"""Collection rate (电费回收率): see docs/kpis.md, "Collection rate"."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.kpis.base import Period, Subject, serial_plans
from core.kpis.ledger import dated_allocations
from core.models import Account, Bill
from core.money.billed import adjusted_amount
from core.money.due_sql import bills_due
from core.scope import Scope

ZERO = Decimal("0.00")
#: How figures may be broken down: one line per station, per responsible collector.
GROUPS = ("station", "collector")


def rate(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part / whole`` to four decimals (a share, 0.9512 = 95.12 %); None when whole is 0."""
    if whole <= 0:
        return None
    return (part / whole).quantize(Decimal("0.0001"))


@dataclass
class Collection:
    """One line: the whole subject, or one station or collector of it (``key``)."""

    key: int | None = None
    #: Principal owed at the start (end of the day before) on bills issued before it.
    opening: Decimal = ZERO
    #: Principal collected in the period on those bills, net of reversals dated in it.
    collected: Decimal = ZERO
    #: The amounts of the bills issued in the period (their month starts in it).
    billed: Decimal = ZERO
    #: Principal collected in the period on the bills issued in it.
    collected_new: Decimal = ZERO
    #: Late fees collected in the period (on any bill).
    late_fees: Decimal = ZERO
    #: Principal collected in the period (both sets of bills), by channel.
    by_channel: dict[str, Decimal] = field(default_factory=dict)

    @property
    def rate(self) -> Decimal | None:
        return rate(self.collected, self.opening)

    @property
    def rate_with_new(self) -> Decimal | None:
        return rate(self.collected + self.collected_new, self.opening + self.billed)


def group_key(group: str | None) -> list[Any]:
    """The GROUP BY columns of a breakdown (none for the whole subject)."""
    if group == "station":
        return [Account.station_id]
    if group == "collector":
        return [Account.responsible_id]
    if group is None:
        return []
    raise ValueError(group)


def _split(row: Any, keyed: bool) -> tuple[Any, tuple[Any, ...]]:
    return (row[0], tuple(row[1:])) if keyed else (None, tuple(row))


def collection(
    session: Session, scope: Scope, subject: Subject, period: Period, group: str | None = None
) -> list[Collection]:
    """The collection figures of ``subject`` over ``period``: one line, or one per
    ``group`` ("station" / "collector", the account's responsible collector now)."""
    serial_plans(session)
    accounts = subject.accounts(scope)
    key = group_key(group)
    keyed = bool(key)
    lines: dict[Any, Collection] = defaultdict(Collection)
    if keyed:  # every station / responsible collector of the subject has a line
        for (k,) in session.execute(select(*key).where(*accounts).group_by(*key)):
            lines[k] = Collection()
    # Owed at the start: bills_due the day before, on bills issued before the period.
    opening = bills_due(
        period.start - dt.timedelta(days=1),
        late_fees=False,
        scope=scope,
        station_id=subject.station_id,
    )
    owed = select(*key, func.coalesce(func.sum(opening.c.principal), 0)).group_by(*key)
    if keyed or subject.beyond_station():  # a station's or the scope's need no account
        owed = owed.join(Account, Account.id == opening.c.account_id).where(*accounts)
    for row in session.execute(owed):
        k, (owed,) = _split(row, keyed)
        lines[k].opening = owed
    for row in session.execute(
        select(*key, func.coalesce(func.sum(adjusted_amount()), 0))
        .join(Account, Account.id == Bill.account_id)
        .where(*accounts, Bill.period >= period.start, Bill.period <= period.end)
        .group_by(*key)
    ):
        k, (billed,) = _split(row, keyed)
        lines[k].billed = billed
    da = dated_allocations(accounts, period.start, period.end)
    is_new = Bill.period >= period.start
    rows = session.execute(
        select(
            *key,
            da.c.channel,
            is_new.label("is_new"),
            func.sum(da.c.principal),
            func.sum(da.c.late_fee),
        )
        .select_from(da)
        .join(Bill, Bill.id == da.c.bill_id)
        .join(Account, Account.id == da.c.account_id)
        .where(Bill.period <= period.end)
        .group_by(*key, da.c.channel, is_new)
    )
    for row in rows:
        k, (channel, new, principal, fee) = _split(row, keyed)
        line = lines[k]
        if new:
            line.collected_new += principal
        else:
            line.collected += principal
        line.late_fees += fee
        name = str(getattr(channel, "value", channel))
        line.by_channel[name] = line.by_channel.get(name, ZERO) + principal
    out = []
    for k, line in lines.items():
        line.key = k
        line.by_channel = dict(sorted(line.by_channel.items()))
        out.append(line)
    if not keyed:
        out = [line for line in out if line.key is None] or [Collection()]
    return sorted(out, key=lambda c: (c.key is None, c.key or 0))
