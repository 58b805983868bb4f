"""Honest estimates on small hand-made histories: two types of payer and of house, the
calendar's return and market days, weekdays."""

from __future__ import annotations

import datetime as dt

from core.models import PeriodKind
from core.planning.calendar import Market, Period, StationCalendar
from core.planning.estimates import TwoTypes, account_rates, fit_two_types, make_model
from core.planning.visit_value import BANDS, History, Rates, estimate

VILLAGE = ("甲村", "residential")


def payer(paid: int = 3, refused: int = 1) -> History:
    """Home at every visit, paying most times; bills mostly paid."""
    return History(
        visits_by_band=[2, 1, 1, 0],
        home_by_band=[2, 1, 1, 0],
        pay_trials=paid + refused,
        pay_successes=paid,
        bills_due=12,
        bills_paid=10,
    )


def refuser() -> History:
    """Home at every visit, never paying; a year of unpaid bills."""
    return History(
        visits_by_band=[2, 2, 2, 0],
        home_by_band=[2, 2, 2, 0],
        pay_trials=6,
        pay_successes=0,
        bills_due=12,
        bills_paid=0,
    )


def test_fit_separates_a_few_refusers_from_many_payers():
    """EM finds a low type near the refusers' rate and a share near theirs."""
    counts = [(10.0, 12.0)] * 90 + [(0.0, 12.0)] * 10
    t = fit_two_types(counts, TwoTypes(0.3, 0.3, 0.6))
    assert t.low < 0.1 and t.high > 0.75
    assert 0.06 < t.share_low < 0.16


def test_a_refuser_stays_low_among_paying_neighbours():
    """One refuser among 30 paying neighbours: the one-Beta shrinkage pulls him toward
    their mean; the two-type prior keeps him near the refusers' rate."""
    histories = {i: payer() for i in range(30)} | {99: refuser()}
    group_of = dict.fromkeys(histories, VILLAGE)
    station, groups, model = make_model(histories, group_of)
    group = groups[VILLAGE]
    old = estimate(refuser(), group, 4.0).p_pay
    new = account_rates(refuser(), group, model, model.shares_of(VILLAGE)).p_pay
    neighbour = account_rates(payer(), group, model, model.shares_of(VILLAGE)).p_pay
    assert new < 0.1 < old
    assert neighbour > 0.7
    # A newcomer with no history is still valued at the village's mixture, not at 0.
    newcomer = account_rates(History(), group, model, model.shares_of(VILLAGE)).p_pay
    assert new < newcomer < neighbour


def away_house() -> History:
    """Empty at twelve ordinary visits; found home at 3 of 4 festival visits."""
    return History(
        visits_by_band=[3, 3, 3, 3],
        home_by_band=[0, 0, 0, 0],
        return_visits=4,
        return_home=3,
        bills_due=12,
        bills_paid=8,
    )


def lived_in(i: int) -> History:
    home = [2, 1, 2, 1] if i % 2 else [1, 1, 2, 1]
    return History(
        visits_by_band=[2, 2, 2, 2],
        home_by_band=home,
        return_visits=1,
        return_home=1 if i % 3 else 0,
        pay_trials=sum(home),
        pay_successes=1,
        bills_due=12,
        bills_paid=11,
    )


def test_a_festival_return_raises_p_home_on_those_days_only():
    """A migrant house, empty all year but full at Spring Festival, is valued as home on
    the configured festival days and as empty on any other day."""
    histories = {i: lived_in(i) for i in range(40)} | {
        100 + i: away_house() for i in range(6)
    }
    group_of = dict.fromkeys(histories, VILLAGE)
    _, groups, model = make_model(histories, group_of)
    rates = account_rates(away_house(), groups[VILLAGE], model, model.shares_of(VILLAGE))
    cal = StationCalendar(
        (Period(PeriodKind.FESTIVAL, "春节", dt.date(2027, 1, 23), dt.date(2027, 2, 16)),)
    )
    festival = rates.home_on(cal.context(dt.date(2027, 1, 26), VILLAGE[0]))
    before = rates.home_on(cal.context(dt.date(2027, 1, 19), VILLAGE[0]))
    after = rates.home_on(cal.context(dt.date(2027, 2, 18), VILLAGE[0]))
    assert max(before) < 0.15 and max(after) < 0.15
    assert min(festival) > 0.4
    # A lived-in neighbour is not lifted by the festival.
    neighbour = account_rates(lived_in(1), groups[VILLAGE], model, model.shares_of(VILLAGE))
    lifted = neighbour.home_on(cal.context(dt.date(2027, 1, 26), VILLAGE[0]))
    ordinary = neighbour.home_on(cal.context(dt.date(2027, 1, 19), VILLAGE[0]))
    assert all(abs(a - b) < 0.12 for a, b in zip(lifted, ordinary, strict=True))


def test_market_days_lower_the_mornings_they_empty():
    """A village found empty on market-day mornings gets a market factor below 1 in the
    morning bands, applied on its market days only."""
    empty_mornings = History(
        visits_by_band=[2, 2, 2, 2],
        home_by_band=[1, 1, 2, 1],
        market_visits_by_band=[3, 3, 0, 0],
        market_home_by_band=[0, 0, 0, 0],
    )
    histories = {i: empty_mornings for i in range(20)}
    _, groups, model = make_model(histories, dict.fromkeys(histories, VILLAGE))
    rates = account_rates(empty_mornings, groups[VILLAGE], model, model.shares_of(VILLAGE))
    assert rates.market is not None and rates.market[0] < 0.5 and rates.market[1] < 0.5
    cal = StationCalendar(markets={VILLAGE[0]: Market(weekdays=frozenset({3}))})
    wednesday, thursday = dt.date(2027, 1, 13), dt.date(2027, 1, 14)
    market = rates.home_on(cal.context(wednesday, VILLAGE[0]))
    other = rates.home_on(cal.context(thursday, VILLAGE[0]))
    assert market[0] < other[0] / 2 and market[2] > 0.8 * other[2]
    assert rates.home_on(cal.context(wednesday, "乙村")) == other  # not their market day


def test_weekday_factors_come_from_the_visits_of_each_weekday():
    """Homes found mostly on Mondays raise Monday's factor above Friday's."""
    h = History(visits_by_band=[5, 5, 0, 0], home_by_band=[5, 0, 0, 0])
    h.weekday_visits = [5, 0, 0, 0, 5, 0, 0]
    h.weekday_home = [5, 0, 0, 0, 0, 0, 0]
    histories = {i: h for i in range(20)}
    _, groups, _ = make_model(histories, dict.fromkeys(histories, VILLAGE))
    weekday = groups[VILLAGE].weekday
    assert weekday is not None and weekday[0] > 1.2 > 0.8 > weekday[4]


def test_rates_without_calendar_effects_are_the_ordinary_days():
    """Rates made before the calendar (no return, market or weekday parts) value every
    day as an ordinary one."""
    flat = Rates(0.5, (0.3,) * len(BANDS))
    cal = StationCalendar(
        (Period(PeriodKind.HARVEST, "秋收", dt.date(2026, 9, 26), dt.date(2026, 10, 8)),),
        {"甲村": Market(month_days=frozenset({3, 13, 23}))},
    )
    assert flat.home_on(cal.context(dt.date(2026, 10, 3), "甲村")) == flat.p_home
