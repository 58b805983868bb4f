"""Calls ahead (电话预约), recorded from the collector's phone exactly once under its UUID.

A call is about one account and one day (``for_date``, the visit's day); its outcome
changes that day's plan (``core.planning.calls``). Only the account's responsible
collector may record it; anyone else's account answers 404, as for visits.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.errors import Invalid, NotFound
from core.field.visits import _responsible_on
from core.insert_once import insert_once
from core.models import Account, Call, CallOutcome
from core.money.canonical import body_hash

#: How far ahead a call may plan a visit, and how late it may be recorded after the day.
MAX_DAYS_AHEAD = 14
MAX_DAYS_AFTER = 7


class CallStatus(enum.StrEnum):
    CREATED = "created"
    REPLAYED = "replayed"


@dataclass(frozen=True)
class CallInput:
    id: uuid.UUID
    account_id: int
    for_date: dt.date
    outcome: CallOutcome
    called_at: dt.datetime
    home_from: dt.time | None = None
    home_until: dt.time | None = None
    device_id: str | None = None


def record_call(session: Session, collector_id: int, inp: CallInput) -> CallStatus:
    """Store one call; an identical replay answers ``replayed``.

    Raises
    ------
    NotFound
        The account does not exist or is not the collector's.
    Invalid
        A window given for anything but ``home_at`` (or missing for it), a window ending
        before it starts, a day too far from the call, or the id used for another body.
    """
    body = {
        "id": inp.id,
        "account_id": inp.account_id,
        "for_date": inp.for_date,
        "outcome": inp.outcome,
        "called_at": inp.called_at,
        "home_from": None if inp.home_from is None else inp.home_from.isoformat(),
        "home_until": None if inp.home_until is None else inp.home_until.isoformat(),
        "collector": collector_id,
    }
    digest = body_hash(body)
    stored = session.get(Call, inp.id)
    if stored is not None:
        return _replay(stored, collector_id, digest)
    errors: dict[str | int, object] = {}
    windowed = inp.home_from is not None or inp.home_until is not None
    if (inp.outcome is CallOutcome.HOME_AT) != windowed or (
        windowed and (inp.home_from is None or inp.home_until is None)
    ):
        errors["home_from"] = ["home_from and home_until are given for home_at, and only then."]
    elif (
        inp.home_from is not None
        and inp.home_until is not None
        and (inp.home_until <= inp.home_from)
    ):
        errors["home_until"] = ["Ends before it starts."]
    lead = (inp.for_date - inp.called_at.date()).days
    if not -MAX_DAYS_AFTER <= lead <= MAX_DAYS_AHEAD:
        errors["for_date"] = [
            f"Between {MAX_DAYS_AFTER} days before and {MAX_DAYS_AHEAD} days after the call."
        ]
    if errors:
        raise Invalid(errors)
    account = session.get(Account, inp.account_id)
    if account is None or _responsible_on(session, account, inp.for_date) != collector_id:
        raise NotFound("account")
    row = {
        "id": inp.id,
        "account_id": inp.account_id,
        "collector_id": collector_id,
        "for_date": inp.for_date,
        "outcome": inp.outcome,
        "home_from": inp.home_from,
        "home_until": inp.home_until,
        "called_at": inp.called_at,
        "device_id": inp.device_id,
        "body_hash": digest,
    }
    if insert_once(session, Call, row, key=["id"], stamp=False):
        return CallStatus.CREATED
    stored = session.get(Call, inp.id, populate_existing=True)
    assert stored is not None
    return _replay(stored, collector_id, digest)


def _replay(stored: Call, collector_id: int, digest: str) -> CallStatus:
    if stored.collector_id == collector_id and stored.body_hash == digest:
        return CallStatus.REPLAYED
    raise Invalid({"id": ["id already used with a different body"]}, "Call refused.")
