"""Stubborn cases (钉子户): see docs/kpis.md, "Stubborn cases"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import String, case, cast, func, select
from sqlalchemy.orm import Session

from core.kpis.base import Subject, serial_plans
from core.kpis.ledger import EAST
from core.kpis.promises import kept_clause
from core.models import Account, Outcome, Station, Visit
from core.money.due_sql import bills_due
from core.scope import Scope

#: How far back refusals and broken promises count.
LOOKBACK_DAYS = 365
#: Refusals, or broken promises, that make a case stubborn.
THRESHOLD = 2
#: Cases per page by default (the most owed first).
PAGE = 100


class HistoryVisit(NamedTuple):
    """One visit of a case's history (a tuple: a county's cases hold tens of thousands)."""

    device_time: dt.datetime
    collector_id: int
    outcome: str
    promise_date: dt.date | None
    #: Whether the promise was kept; None for a visit that promised nothing.
    kept: bool | None


@dataclass
class StubbornCase:
    account_id: int
    number: str
    name: str
    village: str
    responsible_id: int | None
    owing: Decimal
    refusals: int
    broken_promises: int
    history: list[HistoryVisit] = field(default_factory=list)


#: Where a page of cases starts: after the case owing this much with this account id.
After = tuple[Decimal, int]


def stubborn_cases(
    session: Session,
    scope: Scope,
    subject: Subject,
    as_of: dt.date,
    *,
    after: After | None = None,
    limit: int | None = None,
) -> list[StubbornCase]:
    """Accounts owing principal on ``as_of`` with at least :data:`THRESHOLD` refusals or
    broken promises in the :data:`LOOKBACK_DAYS` before it, most owed first (then by
    account id), with their visits of that time.

    A page: the first ``limit`` cases (all when None) after the case ``after`` (its
    owing and account id); only the page's histories are read."""
    serial_plans(session)
    since = dt.datetime.combine(as_of - dt.timedelta(days=LOOKBACK_DAYS), dt.time(), EAST)
    until = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), EAST)
    kept = kept_clause()
    broken = (Visit.outcome == Outcome.PROMISE) & (Visit.promise_date < as_of) & ~kept
    counts = session.execute(
        select(
            Visit.account_id,
            func.count().filter(Visit.outcome == Outcome.REFUSED).label("refusals"),
            func.count().filter(broken).label("broken"),
        )
        .join(Account, Account.id == Visit.account_id)
        .join(Station, Station.id == Account.station_id)
        .where(
            *subject.accounts(scope),
            Visit.device_time >= since,
            Visit.device_time < until,
            Visit.outcome.in_([Outcome.REFUSED, Outcome.PROMISE]),  # the only ones counted
        )
        .group_by(Visit.account_id)
    ).all()
    repeated = {a: (r, b) for a, r, b in counts if r >= THRESHOLD or b >= THRESHOLD}
    if not repeated:
        return []
    # What the accounts with repeated refusals or broken promises owe: bills_due of
    # those accounts only (never the subject's whole ledger).
    due = bills_due(as_of, late_fees=False, scope=scope, account_ids=sorted(repeated))
    owing = (
        select(due.c.account_id, func.sum(due.c.principal).label("owing"))
        .group_by(due.c.account_id)
        .subquery("owing")
    )
    page = (
        select(
            Account.id,
            Account.number,
            Account.name,
            Account.village,
            Account.responsible_id,
            owing.c.owing,
        )
        .join(owing, owing.c.account_id == Account.id)
        .order_by(owing.c.owing.desc(), Account.id)
        .limit(limit)
    )
    if after is not None:
        last_owing, last_id = after
        page = page.where(
            (owing.c.owing < last_owing) | ((owing.c.owing == last_owing) & (Account.id > last_id))
        )
    rows = [(*row, *repeated[row[0]]) for row in session.execute(page)]
    cases = {r[0]: StubbornCase(*r) for r in rows}
    if cases:
        # Core rows (no ORM loading step): tens of thousands of them for a county.
        history = session.connection().execute(
            select(
                Visit.account_id,
                Visit.device_time,
                Visit.collector_id,
                cast(Visit.outcome, String),  # its text: no enum built per row
                Visit.promise_date,
                # Only a promise is kept or not (no payment lookup for other visits).
                case((Visit.promise_date.is_not(None), kept), else_=None),
            )  # fmt: skip
            .join(Account, Account.id == Visit.account_id)
            .join(Station, Station.id == Account.station_id)
            .where(
                Visit.account_id.in_(cases),
                Visit.device_time >= since,
                Visit.device_time < until,
            )  # fmt: skip
            .order_by(Visit.account_id, Visit.device_time)
        )
        for account_id, *visit in history:
            cases[account_id].history.append(HistoryVisit(*visit))
    return list(cases.values())
