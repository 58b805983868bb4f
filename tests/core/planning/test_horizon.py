"""The rolling horizon: who is committed to today, who waits for a better day."""

from __future__ import annotations

import datetime as dt

from core.planning.horizon import HorizonAccount, allocate, today_factor, week

MON = dt.date(2027, 1, 18)
DAYS = [MON + dt.timedelta(days=i) for i in range(5)]


def flat(i: int, worth: float = 10_000.0) -> HorizonAccount:
    return HorizonAccount(i, 7, worth, 0.6, dict.fromkeys(DAYS, 0.5))


def migrant(i: int) -> HorizonAccount:
    """Away until Thursday, home from then on (a festival return)."""
    home = {d: (0.8 if d >= DAYS[3] else 0.05) for d in DAYS}
    return HorizonAccount(i, 7, 20_000.0, 0.6, home)


def test_an_account_home_on_a_later_day_waits_and_todays_go_today():
    """With room for two visits a day, the steady accounts fill Monday; the migrant worth
    twice as much is booked for Thursday, and its Monday prize keeps only what a Monday
    visit adds to that."""
    accounts = [flat(1), flat(2), flat(3), migrant(9)]
    alloc = allocate(accounts, DAYS, {(7, d): 2 for d in DAYS})
    assert DAYS[3] in alloc.visits[9] and MON not in alloc.visits[9]
    assert sum(MON in alloc.visits.get(a, []) for a in (1, 2, 3)) == 2
    committed = [a for a in (1, 2, 3) if MON in alloc.visits.get(a, [])]
    assert all(today_factor(flat(a), alloc, MON) == 1.0 for a in committed)
    assert today_factor(migrant(9), alloc, MON) < 0.5


def test_on_the_last_day_every_prize_is_whole():
    """The month's last working day has no later day to wait for."""
    accounts = [flat(1), migrant(9)]
    alloc = allocate(accounts, DAYS[-1:], {(7, DAYS[-1]): 1})
    assert today_factor(flat(1), alloc, DAYS[-1]) == 1.0
    assert today_factor(migrant(9), alloc, DAYS[-1]) == 1.0


def test_a_full_day_has_a_slot_price_and_promises_take_their_day_first():
    """A promise is booked on its day before anything else; a day that turned a visit
    away is priced at the best one it turned away."""
    promised = HorizonAccount(5, 7, 100.0, 0.9, dict.fromkeys(DAYS, 0.5), DAYS[1])
    accounts = [flat(1), flat(2), promised]
    alloc = allocate(accounts, DAYS[:2], {(7, DAYS[0]): 1, (7, DAYS[1]): 1})
    assert alloc.visits[5] == [DAYS[1]]
    assert alloc.price[(7, DAYS[1])] > 0 and alloc.price[(7, DAYS[0])] > 0
    days = week(alloc, DAYS[:2])
    assert days[1]["collectors"] == [
        {
            "collector_id": 7,
            "visits": 1,
            "account_ids": [5],
            "expected_value": "0.45",
            "slot_price": days[1]["collectors"][0]["slot_price"],
        }
    ]
