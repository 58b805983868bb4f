"""Queue reminders for tomorrow's planned visits and promises falling due; send them once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.field.sms import SmsGateway
from core.models import (
    Account,
    Outcome,
    Plan,
    PlanStatus,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Route,
    Stop,
    Visit,
)

MAX_ATTEMPTS = 3


def _visit_text(account: Account, day: dt.date) -> str:
    return (
        f"【供电所】{account.name}您好：户号{account.number}有电费欠费，"
        f"收费员将于{day.month}月{day.day}日上门，请家中留人或通过网上国网缴费。"
    )


def _promise_text(account: Account, day: dt.date) -> str:
    return (
        f"【供电所】{account.name}您好：您承诺于{day.month}月{day.day}日缴清户号"
        f"{account.number}的电费，请按时缴纳，谢谢。"
    )


def queue_reminders(session: Session, day: dt.date) -> int:
    """Queue tomorrow's reminders for ``day``: published planned visits and promises due.

    Idempotent: the unique (account, kind, day) key makes a second run add nothing.
    """
    planned = session.execute(
        select(Account)
        .join(Stop, Stop.account_id == Account.id)
        .join(Route, Route.id == Stop.route_id)
        .join(Plan, Plan.id == Route.plan_id)
        .where(
            Plan.plan_date == day, Plan.status == PlanStatus.PUBLISHED, Account.phone.is_not(None)
        )
        .distinct()
    ).scalars()
    promised = session.execute(
        select(Account)
        .join(Visit, Visit.account_id == Account.id)
        .where(
            Visit.outcome == Outcome.PROMISE, Visit.promise_date == day, Account.phone.is_not(None)
        )
        .distinct()
    ).scalars()
    rows = [
        {
            "account_id": a.id,
            "kind": ReminderKind.VISIT_TOMORROW,
            "day": day,
            "phone": a.phone,
            "message": _visit_text(a, day),
            "status": ReminderStatus.PENDING,
        }
        for a in planned
    ] + [
        {
            "account_id": a.id,
            "kind": ReminderKind.PROMISE_DUE,
            "day": day,
            "phone": a.phone,
            "message": _promise_text(a, day),
            "status": ReminderStatus.PENDING,
        }
        for a in promised
    ]
    if not rows:
        return 0
    result = session.execute(
        insert(Reminder)
        .values(rows)
        .on_conflict_do_nothing(constraint="uq_reminder_account_kind_day")
        .returning(Reminder.id)
    )
    return len(result.all())


def send_pending(session: Session, gateway: SmsGateway, limit: int = 100) -> int:
    """Send pending reminders at most once each.

    Each row is claimed (``sending``) and committed *before* the gateway is called, with
    SKIP LOCKED so that two senders never take the same row. A crash mid-send leaves
    the row in ``sending`` for a person to check, rather than texting a customer twice.
    """
    sent = 0
    for _ in range(limit):
        reminder = session.scalars(
            select(Reminder)
            .where(Reminder.status == ReminderStatus.PENDING)
            .order_by(Reminder.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if reminder is None:
            break
        reminder.status = ReminderStatus.SENDING
        reminder.attempts += 1
        session.commit()
        try:
            gateway.send(reminder.phone, reminder.message)
        except Exception as exc:  # a gateway failure must not lose the rest of the batch
            reminder.error = str(exc)[:500]
            failed = reminder.attempts >= MAX_ATTEMPTS
            reminder.status = ReminderStatus.FAILED if failed else ReminderStatus.PENDING
        else:
            reminder.status = ReminderStatus.SENT
            reminder.sent_at = dt.datetime.now(dt.UTC)
            sent += 1
        session.commit()
    return sent
