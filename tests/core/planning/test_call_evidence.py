"""The phone's answers in an account's history: what they say about presence counts, and
the door knocked because of an answer is no draw of P(home)."""

from __future__ import annotations

import datetime as dt
import uuid

from core.field.calls import CallInput, record_call
from core.models import CallOutcome, Outcome
from core.planning import candidates as cand
from core.planning.calls import answered_calls
from tests.support.plans import TZ, build_day, local_today, visit


def _call(session, day, account, days_ago: int, outcome: CallOutcome) -> None:
    called = dt.datetime.combine(local_today() - dt.timedelta(days=days_ago + 1), dt.time(19), TZ)
    window = (dt.time(9), dt.time(10)) if outcome is CallOutcome.HOME_AT else (None, None)
    record_call(
        session,
        day.west.id,
        CallInput(
            uuid.uuid4(),
            account.id,
            local_today() - dt.timedelta(days=days_ago),
            outcome,
            called,
            *window,
        ),
    )


def test_answers_count_as_presence_and_appointment_visits_not_as_p_home(factory, session):
    """Three answers about three days (away, away, home at 09:00) and one unanswered call:
    three say whether the customer was around, two of them *away*. The visit on the day
    of the appointment found them home because they waited: it counts for P(pay) only;
    the visit of another day is an ordinary draw of P(home)."""
    day = build_day(factory, per_side=1)
    (account,) = day.accounts["west"]
    _call(session, day, account, 12, CallOutcome.AWAY)
    _call(session, day, account, 11, CallOutcome.AWAY)
    _call(session, day, account, 10, CallOutcome.HOME_AT)
    _call(session, day, account, 9, CallOutcome.NO_ANSWER)
    visit(session, account, day.west, Outcome.REFUSED, days_ago=10)  # the appointment
    visit(session, account, day.west, Outcome.NOBODY_HOME, days_ago=9)
    today = local_today()
    answers = answered_calls(session, [account.id], today, 180)
    assert answers[account.id] == {
        today - dt.timedelta(days=12): CallOutcome.AWAY,
        today - dt.timedelta(days=11): CallOutcome.AWAY,
        today - dt.timedelta(days=10): CallOutcome.HOME_AT,
    }
    h = cand.visit_histories(session, [account.id], today, "Asia/Shanghai", answers=answers)[
        account.id
    ]
    assert (h.call_answers, h.call_away) == (3, 2)
    assert (h.visits, sum(h.home_by_band)) == (1, 0)  # the empty door of day 9 alone
    assert h.pay_trials == 1  # the appointment's refusal
    # Without the answers, both visits are draws of P(home).
    plain = cand.visit_histories(session, [account.id], today, "Asia/Shanghai")[account.id]
    assert (plain.visits, sum(plain.home_by_band), plain.call_answers) == (2, 1, 0)
