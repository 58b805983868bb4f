"""Calls ahead in the plan: what a call's outcome does to the day, and whom to call first.

An outcome recorded for an account and a day (``core.field.calls``) changes that day's
valuation: *home at a time* becomes the stop's time window, valued at the P(home) that
past appointments showed; *will pay online* leaves the account out of the day
(``call_pay_online``); *refuses* lowers P(pay) to the rate at which phone refusers paid at
the door; *away* lowers P(home) to the rate at which "away" houses were found home; *no
answer* changes nothing. The rates are learned from the station's past calls and the
visits on their days, shrunk toward the defaults below.

**Whom to call first** is ranked by the expected gain from knowing (value of
information): with the slot a visit takes worth ``slot`` (the collector's marginal
visit that day, from the rolling horizon), a stop worth ``v = A p h`` is worth
``max(v, slot)`` blind, and after an answer the best use of the slot given the outcome;
the gain is ``P(answer) x (E[best after the outcome] - max(v, slot))``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from core.models import Account, Call, CallOutcome, Outcome, Visit
from core.planning.visit_value import shrink
from core.sql_ids import among

#: Defaults the learned rates are shrunk toward, and their pseudo-counts.
APPOINTMENT_HOME = 0.9
REFUSED_PAY = 0.05
AWAY_HOME = 0.05
ANSWER_RATE = 0.6
ONLINE_SHARE = 0.2
REFUSE_SHARE = 0.4
CALIBRATION_WEIGHT = 10.0
#: Money promised online on the phone that arrives (a customer's word by phone).
ONLINE_KEPT = 0.8
#: Calls a collector makes in an evening (about 30 minutes).
CALLS_PER_EVENING = 12

_NOT_HOME = (Outcome.NOBODY_HOME, Outcome.MOVED, Outcome.WRONG_LOCATION)
_PAID = (Outcome.PAID, Outcome.PARTIAL)


@dataclass(frozen=True)
class CallNote:
    """The latest call about an account for one day."""

    outcome: CallOutcome
    #: Station-local seconds of the window, for ``home_at``.
    window: tuple[int, int] | None = None


@dataclass(frozen=True)
class CallRates:
    """What the station's past calls showed."""

    appointment_home: float = APPOINTMENT_HOME
    refused_pay: float = REFUSED_PAY
    away_home: float = AWAY_HOME
    answer: float = ANSWER_RATE
    online_share: float = ONLINE_SHARE
    refuse_share: float = REFUSE_SHARE

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in self.__dict__.items()}


def calls_for(session: Session, account_ids: Sequence[int], day: dt.date) -> dict[int, CallNote]:
    """Per account, the latest call about ``day``."""
    stmt = (
        select(Call.account_id, Call.outcome, Call.home_from, Call.home_until)
        .where(among(Call.account_id, list(account_ids)), Call.for_date == day)
        .order_by(Call.account_id, Call.called_at)
    )
    out: dict[int, CallNote] = {}
    for account_id, outcome, start, end in session.execute(stmt):
        window = None
        if start is not None and end is not None:
            window = (_seconds(start), _seconds(end))
        out[account_id] = CallNote(outcome, window)
    return out


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def call_rates(session: Session, station_id: int, before: dt.date, tz: str) -> CallRates:
    """The station's call rates from calls about days before ``before`` and the visits made
    on those days (one query)."""
    local_day = func.date(func.timezone(tz, Visit.device_time))
    home = case((Visit.outcome.in_(_NOT_HOME), 0), else_=1)
    paid = case((Visit.outcome.in_(_PAID), 1), else_=0)
    visited = (
        select(Call.outcome, func.count(Visit.id), func.sum(home), func.sum(paid))
        .join(Account, Account.id == Call.account_id)
        .join(Visit, and_(Visit.account_id == Call.account_id, local_day == Call.for_date))
        .where(Account.station_id == station_id, Call.for_date < before)
        .group_by(Call.outcome)
    )
    seen = {o: (int(n), int(h or 0), int(p or 0)) for o, n, h, p in session.execute(visited)}
    made = dict(
        session.execute(
            select(Call.outcome, func.count())
            .join(Account, Account.id == Call.account_id)
            .where(Account.station_id == station_id, Call.for_date < before)
            .group_by(Call.outcome)
        ).all()
    )
    w = CALIBRATION_WEIGHT
    n_appt, home_appt, _ = seen.get(CallOutcome.HOME_AT, (0, 0, 0))
    n_away, home_away, _ = seen.get(CallOutcome.AWAY, (0, 0, 0))
    _, home_ref, paid_ref = seen.get(CallOutcome.REFUSES, (0, 0, 0))
    total = sum(made.values())
    answered = total - made.get(CallOutcome.NO_ANSWER, 0)
    return CallRates(
        appointment_home=shrink(home_appt, n_appt, APPOINTMENT_HOME, w),
        refused_pay=shrink(paid_ref, home_ref, REFUSED_PAY, w),
        away_home=shrink(home_away, n_away, AWAY_HOME, w),
        answer=shrink(answered, total, ANSWER_RATE, w),
        online_share=shrink(made.get(CallOutcome.PAY_ONLINE, 0), answered, ONLINE_SHARE, w),
        refuse_share=shrink(made.get(CallOutcome.REFUSES, 0), answered, REFUSE_SHARE, w),
    )


def gain_from_knowing(
    worth: float,
    p_pay: float,
    p_home: float,
    p_home_any: float,
    slot: float,
    rates: CallRates,
) -> float:
    """Expected gain (fen) of calling before the visit.

    Parameters
    ----------
    worth
        What the visit recovers if the customer is home and pays (fen, priority and the
        rolling horizon included).
    p_pay, p_home
        The estimates the plan would use blind.
    p_home_any
        P(home at some time of the day): who can name a time on the phone.
    slot
        The collector's marginal visit that day (fen): what a freed slot is worth.
    """
    blind = max(worth * p_pay * p_home, slot)
    refuse = (1 - p_pay) * rates.refuse_share
    online = p_pay * rates.online_share
    rest = max(0.0, 1.0 - refuse - online)
    after = (
        refuse * max(worth * rates.refused_pay * p_home, slot)
        + online * (worth * ONLINE_KEPT + slot)
        + rest * p_home_any * max(worth * p_pay * rates.appointment_home, slot)
        + rest * (1 - p_home_any) * max(worth * p_pay * rates.away_home, slot)
    )
    return max(0.0, rates.answer * (after - blind))


def p_home_any(p_home: Sequence[float]) -> float:
    """P(home at some time of the day), bands taken as independent and discounted by half
    (presence is correlated through the day: who is out is often out all day)."""
    none = 1.0
    for p in p_home:
        none *= 1.0 - p
    return max(p_home) + 0.5 * (1.0 - none - max(p_home))
