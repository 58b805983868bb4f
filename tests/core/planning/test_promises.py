"""Promises to pay steer the plan: an open promise keeps the account off the routes until
its date, a broken one brings it back first."""

from __future__ import annotations

import datetime as dt

from core.models import Outcome
from core.planning import compute_plan
from core.planning.draft import PlanRequest
from core.planning.promises import PROMISE_DOUBT, promise_states
from core.planning.visit_value import month_days_left
from tests.support.plans import build_day, local_today, pay_in_full, visit


def _plan(session, day):
    return compute_plan(session, PlanRequest(day.station.id, day.plan_date, time_limit=1))


def _stops(draft):
    return {s.account_id: s for r in draft.routes for s in r.stops}


def _month_end(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=month_days_left(day) - 1)


def _payer(session, account, collector) -> None:
    """Past visits that found the customer home and paying: a promise they give is
    believed (P(pay | home) at least PROMISE_DOUBT)."""
    for days_ago in range(30, 2, -3):
        visit(session, account, collector, Outcome.PAID, days_ago=days_ago)


def test_an_open_promise_keeps_the_account_off_the_routes_until_its_date(factory, session):
    """Promised today for a later day of the month: unassigned with reason 'promised' on
    the days before. (On a month's last day no later day of its month exists: the plan is
    for the day after, the first of the next month.)"""
    day = build_day(factory, per_side=3)
    if day.plan_date == _month_end(day.plan_date):
        day.plan_date += dt.timedelta(days=1)
    promised = day.accounts["west"][0]
    _payer(session, promised, day.west)
    visit(
        session,
        promised,
        day.west,
        Outcome.PROMISE,
        days_ago=0,
        promise=min(day.plan_date + dt.timedelta(days=4), _month_end(day.plan_date)),
    )
    draft = _plan(session, day)
    assert promised.id not in _stops(draft)
    reasons = {u["account_id"]: u["reason"] for u in draft.summary["unassigned"]}
    assert reasons[promised.id] == "promised"
    assert "promised" in draft.summary["reasons"]
    assert {a.id for a in day.accounts["west"][1:]} <= set(_stops(draft))


def test_a_promise_the_customer_is_unlikely_to_keep_does_not_hold_the_visit_off(
    factory, session
):
    """A customer found home and refusing time after time seldom keeps a promise either
    (P(pay | home) below PROMISE_DOUBT): their promise for a later day leaves them on the
    routes, the prize without the money the promise would bring if kept; a neighbour
    who pays when found home stays off until the date."""
    day = build_day(factory, per_side=3)
    if day.plan_date == _month_end(day.plan_date):
        day.plan_date += dt.timedelta(days=1)
    refuser, payer = day.accounts["west"][:2]
    for days_ago in range(30, 2, -3):
        visit(session, refuser, day.west, Outcome.REFUSED, days_ago=days_ago)
    _payer(session, payer, day.west)
    date = min(day.plan_date + dt.timedelta(days=4), _month_end(day.plan_date))
    for who in (refuser, payer):
        visit(session, who, day.west, Outcome.PROMISE, days_ago=0, promise=date)
    draft = _plan(session, day)
    reasons = {u["account_id"]: u["reason"] for u in draft.summary["unassigned"]}
    assert reasons[payer.id] == "promised"
    stop = _stops(draft)[refuser.id]
    kept = stop.explain["promise_ahead_kept"]
    assert 0 < kept == stop.explain["p_pay"] < PROMISE_DOUBT
    assert stop.explain["p_self"] >= kept


def test_a_promise_kept_by_a_payment_no_longer_holds_the_visit_off(factory, session):
    """A payment after the promise closes it: the account is a candidate like any other."""
    day = build_day(factory, per_side=2)
    promised = day.accounts["west"][0]
    later = day.plan_date + dt.timedelta(days=5)
    visit(session, promised, day.west, Outcome.PROMISE, days_ago=2, promise=later)
    factory.bill(promised, dt.date(2025, 1, 1), "300.00", dt.date(2025, 2, 10))
    pay_in_full(session, promised)  # an hour ago: one bill paid, the other still overdue
    reasons = {u["account_id"]: u["reason"] for u in _plan(session, day).summary["unassigned"]}
    assert reasons.get(promised.id) != "promised"


def test_a_broken_promise_brings_the_account_back_with_priority(factory, session):
    """The promised day passed unpaid: back on the routes, its priority raised and explained."""
    day = build_day(factory, per_side=3)
    broken = day.accounts["west"][1]
    visit(
        session,
        broken,
        day.west,
        Outcome.PROMISE,
        days_ago=10,
        promise=local_today() - dt.timedelta(days=3),
    )
    draft = _plan(session, day)
    stop = _stops(draft)[broken.id]
    priority = stop.explain["priority"]
    assert priority["broken_promise"] == (local_today() - dt.timedelta(days=3)).isoformat()
    other = _stops(draft)[day.accounts["west"][2].id].explain["priority"]
    assert priority["factor"] == other["factor"] * 1.5


def test_a_promise_for_after_the_month_end_holds_nobody_off(factory, session):
    """The station is judged on what it holds at month end: promised for a day of the next
    month, the account stays a candidate in this month's last days; promised for this
    month's last day, it stays off until then."""
    day = build_day(factory, per_side=2)
    late, within = day.accounts["west"]
    _payer(session, within, day.west)
    plan_day = day.plan_date
    end = _month_end(plan_day)
    visit(session, late, day.west, Outcome.PROMISE, days_ago=0, promise=end + dt.timedelta(days=2))
    visit(session, within, day.west, Outcome.PROMISE, days_ago=0, promise=end)
    states = promise_states(session, [late.id, within.id], plan_day, "Asia/Shanghai")
    assert late.id not in states.ahead and late.id not in states.broken
    if plan_day < end:
        assert states.ahead == {within.id: end}
        reasons = {u["account_id"]: u["reason"] for u in _plan(session, day).summary["unassigned"]}
        assert reasons.get(late.id) != "promised" and reasons[within.id] == "promised"
    # In the next month the same promise holds the account off until its date.
    next_month = end + dt.timedelta(days=1)
    assert late.id in promise_states(session, [late.id], next_month, "Asia/Shanghai").ahead
