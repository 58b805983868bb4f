"""What the customers' promises to pay mean for a day's plan.

A promise (a visit with outcome ``promise`` and its ``promise_date``) is **open** while
nothing was paid since it was made. The account's newest promise decides:

- dated after the plan's day, in its month, and open: the customer said they would pay by
  then, so the account stays off the routes (reason ``promised``) until its date, unless
  the customer is unlikely to keep it (:data:`PROMISE_DOUBT`): a customer who seldom pays
  at the door seldom keeps a promise either, and waiting for it costs the month the days
  before its date. Such an account stays a candidate; the money the promise would bring
  if kept is not the visit's (``visit_value``'s ``p_promise``);
- dated after the plan day's month ends: the month's collection rate gets nothing from it
  (the station is judged on what it holds at month end), so in the month's last days the
  account stays on the routes, like one that promised nothing;
- dated on the plan's day: the visit is due that day (``candidates.promises_due``);
- dated before the plan's day, still open and nobody visited since: a **broken** promise,
  the account comes back with a raised priority (:mod:`core.planning.priority`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from core.models import EntryKind, Outcome, Payment, Visit
from core.planning.visit_value import month_end
from core.sql_ids import among

__all__ = ["PROMISE_DOUBT", "PromiseStates", "promise_states"]

#: An open promise holds the account off the routes only when the customer's P(pay | home)
#: (what a promise is kept with, as far as the history tells) is at least this.
PROMISE_DOUBT = 0.5


@dataclass(frozen=True)
class PromiseStates:
    """Per account id: the date of an open promise still ahead, or of a broken one."""

    ahead: dict[int, dt.date] = field(default_factory=dict)
    broken: dict[int, dt.date] = field(default_factory=dict)


def promise_states(
    session: Session, account_ids: list[int], day: dt.date, tz: str
) -> PromiseStates:
    """The newest promise of each account made by the end of local ``day``, judged on ``day``."""
    if not account_ids:
        return PromiseStates()
    local_day = func.date(func.timezone(tz, Visit.device_time))
    newest = (
        select(
            Visit.account_id,
            Visit.promise_date,
            Visit.device_time,
            func.row_number()
            .over(partition_by=Visit.account_id, order_by=Visit.device_time.desc())
            .label("rank"),
        )
        .where(
            among(Visit.account_id, account_ids),
            Visit.outcome == Outcome.PROMISE,
            local_day <= day,
        )
        .subquery()
    )
    paid_since = exists().where(
        Payment.account_id == newest.c.account_id,
        Payment.kind == EntryKind.PAYMENT,
        Payment.collected_at >= newest.c.device_time,
    )
    later = Visit.__table__.alias("later")
    visited_since = exists().where(
        later.c.account_id == newest.c.account_id,
        later.c.device_time > newest.c.device_time,
        func.date(func.timezone(tz, later.c.device_time)) < day,
    )
    rows = session.execute(
        select(newest.c.account_id, newest.c.promise_date, paid_since, visited_since).where(
            newest.c.rank == 1
        )
    )
    states = PromiseStates()
    last = month_end(day)
    for account_id, promised, paid, visited in rows:
        if paid:
            continue
        if promised > last:
            continue  # after the month closes: no promise for this month's rate
        if promised > day:
            states.ahead[account_id] = promised
        elif promised < day and not visited:
            states.broken[account_id] = promised
    return states
