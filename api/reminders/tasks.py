"""Reminders on their own: celery beat queues tomorrow's and sends the outbox, by day only.

Every :data:`TICK_EVERY_S` the tick queues the reminders for tomorrow (and, until noon,
for today: a plan published late in the evening still gets its reminders in the morning)
and sends what is pending, but only while it is daytime at the stations: nobody is texted
at night. Queueing is idempotent and each reminder is sent at most once
(:mod:`core.field.reminders`), so a tick that overlaps another, or runs twice, is harmless.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from celery import shared_task
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.field.reminders import queue_reminders, send_pending
from core.field.sms import SmsGateway
from core.models import Station

TICK = "reminders.tick"
TICK_EVERY_S = 600.0
#: Station-local hours in which reminders are queued and sent: ``[from, until)``.
DAYTIME = (9, 20)
#: Until this local hour the tick also queues today's reminders.
TODAY_UNTIL_HOUR = 12


def tick(
    session: Session, gateway: SmsGateway, now: dt.datetime, limit: int = 500
) -> dict[str, int]:
    """Queue and send reminders if it is daytime at some station; commits its work."""
    zones = session.scalars(select(Station.timezone).distinct()).all()
    days: set[dt.date] = set()
    for zone in zones:
        local = now.astimezone(ZoneInfo(zone))
        if DAYTIME[0] <= local.hour < DAYTIME[1]:
            days.add(local.date() + dt.timedelta(days=1))
            if local.hour < TODAY_UNTIL_HOUR:
                days.add(local.date())
    if not days:
        return {"queued": 0, "sent": 0}
    queued = sum(queue_reminders(session, day) for day in sorted(days))
    session.commit()
    return {"queued": queued, "sent": send_pending(session, gateway, limit)}


@shared_task(name=TICK)
def reminders_tick() -> dict[str, int]:
    """One tick of the reminder outbox (see :func:`tick`)."""
    with current_app.extensions["db_sessionmaker"]() as session:
        return tick(session, current_app.extensions["sms_gateway"], dt.datetime.now(dt.UTC))


def init_beat(celery: Any) -> None:
    """Schedule the tick on celery beat (``make run``'s worker embeds beat)."""
    schedule = dict(celery.conf.beat_schedule or {})
    schedule.setdefault("reminders-tick", {"task": TICK, "schedule": TICK_EVERY_S})
    celery.conf.beat_schedule = schedule
