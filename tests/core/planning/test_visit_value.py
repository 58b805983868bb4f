"""Visit value: shrinkage toward group means, band choice, prize in fen."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from core.planning.visit_value import (
    BANDS,
    DAYS_PER_PSEUDO_BILL,
    History,
    Rates,
    day_mean,
    estimate,
    group_priors,
    month_days_left,
    shrink,
    visit_value,
)

FLAT = Rates(0.5, (0.5,) * len(BANDS))


def test_shrink_pulls_small_samples_toward_the_prior():
    """Two successes in two trials are not certainty; many trials dominate the prior."""
    assert shrink(2, 2, 0.5, 4) == (2 + 2) / 6
    assert abs(shrink(900, 1000, 0.5, 4) - 0.9) < 0.01
    assert shrink(0, 0, 0.37, 4) == 0.37


def test_group_prior_sits_between_station_and_account():
    """An account with no history gets its village/category mean, not the station's."""
    bad = History(visits_by_band=[10, 0, 0, 0], home_by_band=[1, 0, 0, 0], pay_trials=1)
    station, groups = group_priors(
        {1: bad}, {1: ("甲村", "residential"), 2: ("甲村", "residential")}
    )
    assert groups[("甲村", "residential")].p_home[0] < station.p_home[0] < 0.5 + 1e-9
    none = estimate(History(), groups[("甲村", "residential")], 4)
    assert none == groups[("甲村", "residential")]


def test_a_band_that_stands_out_becomes_the_visit_window():
    """A much better afternoon is chosen as the window; a flat day gets none."""
    rates = Rates(0.8, (0.1, 0.1, 0.2, 0.9))
    v = visit_value(Decimal("100.00"), rates, horizon_days=30)
    assert v.band == 3 and v.p_home == 0.9
    assert v.prize_fen == round(10000 * 0.8 * 0.9)
    flat = visit_value(Decimal("100.00"), FLAT, horizon_days=30)
    assert flat.band is None and flat.prize_fen == 2500


def test_forced_band_is_used_for_promises():
    """A promise made in the morning is valued with the morning's P(home)."""
    v = visit_value(
        Decimal("10.00"), Rates(0.5, (0.2, 0.4, 0.6, 0.8)), horizon_days=30, forced_band=0
    )
    assert v.band == 0 and v.prize_fen == round(1000 * 0.5 * 0.2)
    assert v.expected_value == Decimal("1.00")


def test_unpaid_bills_pull_p_pay_down_even_without_visits():
    """A year of unpaid bills is evidence too: P(pay) falls well below the group's."""
    never = estimate(History(bills_due=12, bills_paid=0), FLAT, 4)
    always = estimate(History(bills_due=12, bills_paid=12), FLAT, 4)
    assert never.p_pay == 2 / 16 and always.p_pay == 14 / 16


def test_empty_mornings_also_lower_the_afternoons_but_less():
    """Visits in one band move the account's whole day, that band the most."""
    h = History(visits_by_band=[6, 0, 0, 0], home_by_band=[0, 0, 0, 0])
    r = estimate(h, FLAT, 4)
    assert r.p_home[0] < r.p_home[3] < 0.5
    assert r.p_home[1] == r.p_home[2] == r.p_home[3]


def test_a_modest_lunch_peak_is_no_window_a_strong_one_is():
    """Everyone is home a bit more at lunch: 0.7 against a day of 0.53 is not worth pinning
    the visit to two hours (the routes cannot put every account at lunch); 0.9 against
    0.26 is."""
    modest = visit_value(Decimal("100.00"), Rates(0.8, (0.5, 0.45, 0.7, 0.5)), horizon_days=30)
    assert modest.band is None and modest.p_home == day_mean((0.5, 0.45, 0.7, 0.5))
    strong = visit_value(Decimal("100.00"), Rates(0.8, (0.1, 0.1, 0.9, 0.1)), horizon_days=30)
    assert strong.band == 2 and strong.p_home == 0.9


def test_paying_overdue_bills_by_oneself_is_a_rate_per_day_overdue():
    """Five overdue bills settled online within 60 days overdue in all: a fast self-payer;
    600 days overdue without one: the rate falls well below the prior's."""
    prior = Rates(0.5, (0.5,) * len(BANDS), 0.01)
    fast = estimate(History(bills_due=6, self_paid=5, overdue_days=60), prior, 4)
    slow = estimate(History(bills_due=6, self_paid=0, overdue_days=600), prior, 4)
    assert fast.self_rate == (5 + 4 * DAYS_PER_PSEUDO_BILL * 0.01) / (60 + 4 * DAYS_PER_PSEUDO_BILL)
    assert slow.self_rate < 0.01 / 4 < fast.self_rate
    assert abs(fast.p_self(30) - (1 - math.exp(-fast.self_rate * 30))) < 1e-12
    assert estimate(History(), prior, 4).self_rate == 0.01  # no exposure: the prior


def test_money_that_would_come_by_itself_is_not_the_visits():
    """The prize is amount x p_pay x p_home x (1 - p_self): the same debt and odds at the
    door are worth much less for an account that settles overdue bills online anyway."""
    home = (0.5,) * len(BANDS)
    online = visit_value(Decimal("200.00"), Rates(0.8, home, 0.04), horizon_days=30)
    door = visit_value(Decimal("200.00"), Rates(0.8, home, 0.001), horizon_days=30)
    assert online.p_self == 1 - math.exp(-0.04 * 30)
    assert online.prize_fen == round(20000 * 0.8 * 0.5 * (1 - online.p_self))
    assert online.prize_fen < door.prize_fen / 2
    assert visit_value(Decimal("200.00"), Rates(0.8, home), horizon_days=30).prize_fen == 8000


def test_money_a_promise_would_bring_is_not_the_visits_either():
    """A promise ahead kept with p_promise and the account's own payments are both money
    the month gets without the visit: only what neither brings is the visit's."""
    home = (0.5,) * len(BANDS)
    rates = Rates(0.2, home, 0.01)
    plain = visit_value(Decimal("200.00"), rates, horizon_days=30)
    doubted = visit_value(Decimal("200.00"), rates, horizon_days=30, p_promise=0.2)
    assert doubted.p_promise == 0.2
    assert doubted.p_self == 1 - (1 - plain.p_self) * 0.8
    assert doubted.prize_fen == round(20000 * 0.2 * 0.5 * (1 - plain.p_self) * 0.8)


def test_the_horizon_is_the_days_left_in_the_month():
    """The station is judged on its month-end rate: the plan day and the days after it,
    up to the month's last day, are when money paid by oneself still counts."""
    assert month_days_left(dt.date(2026, 12, 1)) == 31
    assert month_days_left(dt.date(2026, 12, 29)) == 3
    assert month_days_left(dt.date(2026, 12, 31)) == 1
    assert month_days_left(dt.date(2028, 2, 1)) == 29  # leap year


def test_a_self_payer_is_worth_more_as_the_month_runs_out():
    """Early in the month an account that settles overdue bills online has weeks to do it
    by itself, so its visit is worth little more than the odds at the door leave after
    that; on the last days it has no time left and the visit is worth nearly its full odds.
    An account that never pays by itself is worth the same all month."""
    home = (0.5,) * len(BANDS)
    online, door = Rates(0.8, home, 0.04), Rates(0.8, home, 0.0)
    start = visit_value(
        Decimal("200.00"), online, horizon_days=month_days_left(dt.date(2026, 12, 1))
    )
    end = visit_value(
        Decimal("200.00"), online, horizon_days=month_days_left(dt.date(2026, 12, 30))
    )
    assert start.horizon_days == 31 and end.horizon_days == 2
    assert start.prize_fen < end.prize_fen / 3
    assert end.prize_fen > 0.9 * 8000
    assert visit_value(Decimal("200.00"), door, horizon_days=31).prize_fen == 8000
    assert visit_value(Decimal("200.00"), door, horizon_days=2).prize_fen == 8000
    # Early in the month the self-payer's visit ranks far below the other's; late, level.
    assert start.prize_fen < 0.5 * 8000


def test_history_key_names_every_count() -> None:
    """Equal histories share a key (their rates are computed once per gather); any count
    that differs, in a band list or not, gives another key."""
    from dataclasses import fields

    from core.planning.visit_value import History

    assert History().key() == History().key()
    keys = {History().key()}
    names = [f.name for f in fields(History)]
    for change in names:
        h = History()
        value = getattr(h, change)
        if isinstance(value, list):
            value[0] += 1
        else:
            setattr(h, change, value + 1)
        keys.add(h.key())
    assert len(keys) == 1 + len(names)
