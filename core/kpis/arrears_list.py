"""The arrears list for export: one line per owing account, from ``bills_due``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.kpis.base import Subject
from core.models import Account, User
from core.money.due_sql import bills_due
from core.scope import Scope

COLUMNS = (
    "account_id", "number", "name", "address", "village", "phone", "category",
    "responsible", "bills", "principal", "late_fee", "total", "oldest_due", "days_overdue",
)  # fmt: skip


def arrears_rows(
    session: Session, scope: Scope, subject: Subject, as_of: dt.date
) -> Iterator[tuple[Any, ...]]:
    """Owing accounts of ``subject`` on ``as_of``, most owed first (columns: COLUMNS)."""
    due = bills_due(as_of, scope=scope, station_id=subject.station_id)
    per_account = (
        select(
            due.c.account_id,
            func.count().label("bills"),
            func.sum(due.c.principal).label("principal"),
            func.sum(due.c.late_fee).label("late_fee"),
            func.min(due.c.due_date).filter(due.c.principal > 0).label("oldest_due"),
            func.max(due.c.days_overdue).label("days_overdue"),
        )
        .group_by(due.c.account_id)
        .subquery("owing")
    )
    total = per_account.c.principal + per_account.c.late_fee
    stmt = (
        select(
            Account.id,
            Account.number,
            Account.name,
            Account.address,
            Account.village,
            Account.phone,
            Account.category,
            User.display_name,
            per_account.c.bills,
            per_account.c.principal,
            per_account.c.late_fee,
            total,
            per_account.c.oldest_due,
            per_account.c.days_overdue,
        )  # fmt: skip
        .join(per_account, per_account.c.account_id == Account.id)
        .outerjoin(User, User.id == Account.responsible_id)
        .where(*subject.accounts(scope))
        .order_by(total.desc(), Account.id)
    )
    for row in session.execute(stmt):
        yield (*row[:6], row[6].value, *row[7:])
