"""Promises to pay: see docs/kpis.md, "Promises"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, and_, cast, func, select
from sqlalchemy.orm import Session, aliased

from core.kpis.base import Period, Subject, serial_plans
from core.kpis.ledger import instant_bounds
from core.models import Account, EntryKind, Outcome, Payment, Station, Visit
from core.scope import Scope, visible


@dataclass(frozen=True)
class Promises:
    #: Promise visits recorded on a day of the period.
    made: int = 0
    #: Promises whose promised date falls in the period.
    due: int = 0
    #: ... paid (a payment, not reversed) from the visit to the end of the promised day.
    kept: int = 0
    #: ... not kept, the promised day before ``as_of``.
    broken: int = 0
    #: ... not kept yet, the promised day on or after ``as_of``.
    pending: int = 0


def kept_clause() -> Any:
    """EXISTS a standing payment of the visit's account between the visit and the end of
    the promised (station-local) day."""
    reversal = aliased(Payment)
    ends = func.timezone(Station.timezone, cast(Visit.promise_date + 1, Date))
    return (
        select(Payment.id)
        .where(
            Payment.account_id == Visit.account_id,
            Payment.kind == EntryKind.PAYMENT,
            Payment.collected_at >= Visit.device_time,
            Payment.collected_at < ends,
            ~select(reversal.id).where(reversal.reverses_id == Payment.id).exists(),
        )
        .exists()
    )


def promises(
    session: Session, scope: Scope, subject: Subject, period: Period, as_of: dt.date
) -> Promises:
    """Promises made in ``period`` and falling due in it, kept, broken and pending."""
    return _counts(session, scope, subject, period, as_of, by_collector=False).get(
        None, Promises()
    )


def promises_by_collector(
    session: Session, scope: Scope, subject: Subject, period: Period, as_of: dt.date
) -> dict[int | None, Promises]:
    """:func:`promises` for each responsible collector of the subject's accounts (as if
    each were the subject's ``collector_id``), in one statement."""
    return _counts(session, scope, subject, period, as_of, by_collector=True)


def _counts(
    session: Session,
    scope: Scope,
    subject: Subject,
    period: Period,
    as_of: dt.date,
    by_collector: bool,
) -> dict[int | None, Promises]:
    serial_plans(session)
    local_day = cast(func.timezone(Station.timezone, Visit.device_time), Date)
    lo, hi = instant_bounds(period.start, period.end)
    in_period = Visit.promise_date.between(period.start, period.end)
    made = and_(Visit.device_time >= lo, Visit.device_time < hi,
                local_day.between(period.start, period.end))  # fmt: skip
    kept = kept_clause()
    key: list[Any] = [Account.responsible_id] if by_collector else []
    rows = session.execute(
        select(
            *key,
            func.count().filter(made),
            func.count().filter(in_period),
            func.count().filter(in_period, kept),
            func.count().filter(in_period, ~kept, Visit.promise_date < as_of),
            func.count().filter(in_period, ~kept, Visit.promise_date >= as_of),
        )
        .select_from(Visit)
        .join(Account, Account.id == Visit.account_id)
        .join(Station, Station.id == Account.station_id)
        .where(
            Visit.outcome == Outcome.PROMISE,
            visible(Visit, scope),
            *subject.accounts(scope),
            (Visit.promise_date.between(period.start, period.end))
            | (Visit.device_time >= lo) & (Visit.device_time < hi),
        )
        .group_by(*key)
    ).all()
    key_of = (lambda r: r[0]) if by_collector else (lambda r: None)
    n = len(key)
    return {key_of(r): Promises(r[n], r[n + 1], r[n + 2], r[n + 3], r[n + 4]) for r in rows}


__all__ = ["Promises", "kept_clause", "promises", "promises_by_collector"]
