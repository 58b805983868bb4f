"""Ageing: see docs/kpis.md, "Ageing"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, literal, select, union_all
from sqlalchemy.orm import Session

from core.kpis.base import Subject, serial_plans
from core.models import Account
from core.money.aging import Stage
from core.money.due_sql import bills_due
from core.scope import Scope

ZERO = Decimal("0.00")
#: Age buckets of each bill's unpaid principal, by days past its due date.
BUCKETS = ("not_due", "d1_30", "d31_60", "d61_90", "d90_plus")
STAGES = tuple(s.value for s in Stage)


@dataclass(frozen=True)
class Cell:
    yuan: Decimal = ZERO
    accounts: int = 0


@dataclass
class Ageing:
    as_of: dt.date
    buckets: dict[str, Cell] = field(default_factory=dict)
    stages: dict[str, Cell] = field(default_factory=dict)


@dataclass(frozen=True)
class AgeingChange:
    now: Ageing
    #: The same on the last day of the month before ``now.as_of``'s.
    month_start: Ageing


def _bucket(days: Any) -> Any:
    return case(
        (days <= 0, "not_due"),
        (days <= 30, "d1_30"),
        (days <= 60, "d31_60"),
        (days <= 90, "d61_90"),
        else_="d90_plus",
    )


def _stage(days: Any) -> Any:
    return case(
        (days <= 0, Stage.NONE.value),
        (days <= 30, Stage.REMINDER.value),
        (days <= 60, Stage.VISIT.value),
        (days <= 90, Stage.REPEATED_VISIT.value),
        (days <= 180, Stage.SUPERVISOR_VISIT.value),
        else_=Stage.FORMAL_NOTICE.value,
    )


def ageing(session: Session, scope: Scope, subject: Subject, as_of: dt.date) -> Ageing:
    """Principal owed on ``as_of`` by age bucket, and accounts by escalation stage (their
    oldest unpaid bill's age, :func:`core.money.aging.escalation_stage`): one statement,
    ``bills_due`` read once (materialized) for both tables."""
    serial_plans(session)
    due = bills_due(as_of, late_fees=False, scope=scope, station_id=subject.station_id)
    aged = select(due.c.account_id, due.c.principal, due.c.days_overdue)
    if narrower := subject.beyond_station():
        aged = aged.join(Account, Account.id == due.c.account_id).where(*narrower)
    lines = aged.cte("aged").prefix_with("MATERIALIZED")
    bucket = _bucket(lines.c.days_overdue)
    per_account = (
        select(
            func.max(lines.c.days_overdue).label("oldest"),
            func.sum(lines.c.principal).label("principal"),
        )
        .group_by(lines.c.account_id)
        .subquery("per_account")
    )
    stage = _stage(per_account.c.oldest)
    by_bucket = select(
        literal("bucket"),
        bucket,
        func.sum(lines.c.principal),
        func.count(func.distinct(lines.c.account_id)),
    ).group_by(bucket)
    by_stage = select(
        literal("stage"), stage, func.sum(per_account.c.principal), func.count()
    ).group_by(stage)
    out = Ageing(as_of, {b: Cell() for b in BUCKETS}, {s: Cell() for s in STAGES})
    for table, name, yuan, n in session.execute(union_all(by_bucket, by_stage)):
        (out.buckets if table == "bucket" else out.stages)[name] = Cell(yuan, n)
    return out


def ageing_change(session: Session, scope: Scope, subject: Subject, as_of: dt.date) -> AgeingChange:
    """Ageing on ``as_of`` and at the start of its month (the day before the 1st)."""
    before = as_of.replace(day=1) - dt.timedelta(days=1)
    return AgeingChange(
        ageing(session, scope, subject, as_of), ageing(session, scope, subject, before)
    )
