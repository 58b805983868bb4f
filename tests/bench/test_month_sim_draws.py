"""The month simulation's pay draw: per account and day, or (``--pay-draw contact-day``,
``contact``) per account and contact, the same for every policy whatever the day of the
knock."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from bench.month_sim import World
from demo.truth import Behaviour

DAY = dt.date(2027, 1, 4)
HALF = Behaviour("chronic", 0.5, (0.5, 0.5, 0.5, 0.5), around=0.9)


def world(pay_draw: str = "contact") -> World:
    station: Any = None  # pays reads the truth and the draws only
    w = World(station, ZoneInfo("Asia/Shanghai"), 7, {}, "3", pay_draw=pay_draw)
    for a in range(200):
        w.truths[a] = HALF
    return w


def answers(w: World, day: dt.date) -> list[bool]:
    return [w.pays(a, day) for a in range(200)]


def test_the_first_contact_answers_the_same_whatever_the_day() -> None:
    early, late = world(), world()
    first = answers(early, DAY)
    assert answers(late, DAY + dt.timedelta(days=9)) == first
    assert 60 < sum(first) < 140  # a draw at P(pay | home) = 0.5, not a constant


def test_after_a_contact_the_next_one_draws_anew() -> None:
    w = world()
    first = answers(w, DAY)
    for a in range(200):
        w.contacts[a] += 1
    second = answers(w, DAY)  # a second contact the same day
    assert second != first
    assert answers(w, DAY + dt.timedelta(days=3)) == second  # until the next contact


def test_the_day_scheme_draws_per_day() -> None:
    w = world("day")
    assert answers(w, DAY) != answers(w, DAY + dt.timedelta(days=1))
    for a in range(200):
        w.contacts[a] += 1
    assert answers(w, DAY) == answers(world("day"), DAY)  # contacts do not matter


def test_contact_days_draw_anew_the_day_after_a_contact_only() -> None:
    w = world("contact-day")
    first = answers(w, DAY)
    for a in range(100):  # an answered call or a door contact for the first hundred
        w.contact(a, door=a % 2 == 0)
    assert answers(w, DAY) == first  # the call and the same day's door agree
    w.close_day()
    after = answers(w, DAY + dt.timedelta(days=1))
    assert after[100:] == first[100:]  # no contact: the same draw whatever the day
    assert after[:100] != first[:100]  # a call counts as a contact, as a door does
    w.contact(0, door=True)
    w.contact(0, door=False)
    w.close_day()
    assert w.contacts[0] == 2 and w.contacts[1] == 1  # once a day however many contacts


def test_the_door_contact_scheme_ignores_calls() -> None:
    w = world("contact")
    first = answers(w, DAY)
    for a in range(200):
        w.contact(a, door=False)
    w.close_day()
    assert answers(w, DAY + dt.timedelta(days=1)) == first
    w.contact(0, door=True)  # a door contact draws anew at once
    assert w.contacts[0] == 1
