"""SMS reminders: queued once per account, reason and day; sent at most once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from api.reminders import tasks
from core.field import reminders as service
from core.models import Outcome, Reminder, ReminderStatus, Role, Visit

DAY = dt.date(2026, 12, 3)


class RecordingGateway:
    def __init__(self, fail_for: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.sent: list[tuple[str, str]] = []
        self.fail_for = fail_for

    def send(self, phone: str, text: str) -> None:
        if phone in self.fail_for:
            raise ConnectionError("gateway down")
        self.sent.append((phone, text))


@pytest.fixture
def promised(factory, session):
    st = factory.station()
    me = factory.user(Role.COLLECTOR, st)
    accounts = [factory.account(st, me, phone=f"1390000000{i}") for i in range(3)]
    for acc in accounts:
        import uuid

        session.add(
            Visit(
                id=uuid.uuid4(),
                account_id=acc.id,
                collector_id=me.id,
                outcome=Outcome.PROMISE,
                promise_date=DAY,
                device_time=dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC),
            )
        )
    session.flush()
    return accounts


def _count(session):
    return session.scalar(select(func.count()).select_from(Reminder).where(Reminder.day == DAY))


def test_queueing_twice_adds_nothing(session, promised):
    """Promises falling due are queued once; a second run queues nothing."""
    assert service.queue_reminders(session, DAY) == 3
    assert service.queue_reminders(session, DAY) == 0
    assert _count(session) == 3
    assert "承诺" in session.scalars(select(Reminder.message)).first()


def test_each_reminder_is_sent_once(session, promised):
    """Sending twice texts each customer once."""
    service.queue_reminders(session, DAY)
    gateway = RecordingGateway()
    assert service.send_pending(session, gateway) == 3
    assert service.send_pending(session, gateway) == 0
    assert sorted(p for p, _ in gateway.sent) == sorted(a.phone for a in promised)


def test_gateway_failure_retries_then_gives_up(session, promised):
    """A failing number is retried up to the cap and then marked failed; others are sent."""
    service.queue_reminders(session, DAY)
    bad = promised[0].phone
    gateway = RecordingGateway(fail_for={bad})
    for _ in range(service.MAX_ATTEMPTS + 1):
        service.send_pending(session, gateway)
    statuses = dict(session.execute(select(Reminder.phone, Reminder.status)).all())
    assert statuses[bad] is ReminderStatus.FAILED
    assert [s for p, s in statuses.items() if p != bad] == [ReminderStatus.SENT] * 2
    assert len(gateway.sent) == 2


def test_the_beat_tick_queues_and_sends_by_day_only(app, session, promised):
    """celery beat's tick: nothing at night; by day tomorrow's reminders are queued and
    sent; the next tick texts nobody twice."""
    assert tasks.TICK in app.extensions["celery"].conf.beat_schedule["reminders-tick"]["task"]
    shanghai = ZoneInfo("Asia/Shanghai")
    gateway = RecordingGateway()
    night = dt.datetime.combine(DAY - dt.timedelta(days=1), dt.time(23, 30), shanghai)
    assert tasks.tick(session, gateway, night) == {"queued": 0, "sent": 0}
    assert _count(session) == 0 and gateway.sent == []
    morning = dt.datetime.combine(DAY - dt.timedelta(days=1), dt.time(10, 0), shanghai)
    first = tasks.tick(session, gateway, morning)
    assert first["queued"] >= 3 and first["sent"] >= 3
    mine = sorted(a.phone for a in promised)
    assert sorted(p for p, _ in gateway.sent if p in mine) == mine
    again = tasks.tick(session, gateway, morning + dt.timedelta(minutes=10))
    assert again == {"queued": 0, "sent": 0}
    assert sorted(p for p, _ in gateway.sent if p in mine) == mine
