"""The month simulation's expected door money given the evening call's answer."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bench.month_sim import APPOINTMENT_KEPT, OFFER_ONLINE, SAY_REFUSE, World
from core.models import CallOutcome
from demo.truth import Behaviour

DAY = dt.date(2027, 1, 4)
REFUSER = Behaviour("refuser", 0.06, (0.7, 0.6, 0.8, 0.7), around=0.92)


def world() -> World:
    station: Any = None  # p_door reads the truth and the calendar only
    w = World(station, ZoneInfo("Asia/Shanghai"), 7, {1: "A1"})
    w.truths[1] = REFUSER
    return w


def test_without_an_answer_the_door_is_worth_its_marginal_odds() -> None:
    w = world()
    assert w.p_door(1, DAY, 2) == pytest.approx(0.8 * 0.06)
    w.answers[(1, DAY)] = (CallOutcome.NO_ANSWER, 2)
    assert w.p_door(1, DAY, 2) == pytest.approx(0.8 * 0.06)


@pytest.mark.parametrize("outcome", [CallOutcome.REFUSES, CallOutcome.AWAY])
def test_a_refusal_or_away_on_the_phone_is_worth_nothing_that_day(outcome: CallOutcome) -> None:
    w = world()
    w.answers[(1, DAY)] = (outcome, 2)
    assert w.p_door(1, DAY, 2) == 0.0
    assert w.p_door(1, DAY + dt.timedelta(days=1), 2) > 0  # the next day knows nothing


def test_pay_online_means_a_payer_who_is_around() -> None:
    w = world()
    w.answers[(1, DAY)] = (CallOutcome.PAY_ONLINE, None)
    assert w.p_door(1, DAY, 2) == pytest.approx(0.8 / 0.92)


def test_home_at_is_enriched_in_payers_and_kept_in_the_named_band() -> None:
    w = world()
    w.answers[(1, DAY)] = (CallOutcome.HOME_AT, 2)
    w.appointments[(1, DAY)] = 2
    payer = 0.06 * (1 - OFFER_ONLINE)
    p_pay = payer / (payer + 0.94 * (1 - SAY_REFUSE))
    assert p_pay > 0.08  # a refuser's 0.06, raised by the answer
    assert w.p_door(1, DAY, 2) == pytest.approx(APPOINTMENT_KEPT * p_pay)
    # Named the band asked: the other bands' draws are untouched (home given around).
    assert w.p_door(1, DAY, 3) == pytest.approx(0.7 / 0.92 * p_pay)


def test_a_band_named_instead_of_the_one_asked_says_they_are_out_before_it() -> None:
    w = world()
    w.answers[(1, DAY)] = (CallOutcome.HOME_AT, 0)  # asked 08-10, named 12-14
    w.appointments[(1, DAY)] = 2
    assert w.p_door(1, DAY, 0) == 0.0
    assert w.p_door(1, DAY, 1) == 0.0
    assert w.p_door(1, DAY, 3) > 0
