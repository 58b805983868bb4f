"""The rolling horizon: who is committed to today, who waits for a better day."""

from __future__ import annotations

import datetime as dt
import heapq
import random

from core.planning.horizon import Allocation, HorizonAccount, allocate, today_factor, week

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


def _one_heap(
    accounts: list[HorizonAccount], days: list[dt.date], capacity: dict[tuple[int, dt.date], int]
) -> Allocation:
    """The lazy greedy as first written, one heap of every entry: the reference."""
    out = Allocation()
    by_id = {a.account_id: a for a in accounts}
    miss = {a.account_id: 1.0 for a in accounts}

    def s(a: HorizonAccount, d: dt.date) -> float:
        return a.p_pay * a.home.get(d, 0.0)

    def book(a: HorizonAccount, d: dt.date, gain: float) -> None:
        key = (a.collector_id, d)
        out.visits.setdefault(a.account_id, []).append(d)
        out.load[key] = out.load.get(key, 0) + 1
        out.expected[key] = out.expected.get(key, 0.0) + gain
        out.booked.setdefault(key, []).append(a.account_id)
        miss[a.account_id] *= 1.0 - s(a, d)

    for a in accounts:
        if a.promise_day in set(days):
            book(a, a.promise_day, a.worth * s(a, a.promise_day))  # type: ignore[arg-type]
    heap = []
    for a in accounts:
        for d in days:
            if d == a.promise_day or capacity.get((a.collector_id, d), 0) <= 0:
                continue
            gain = a.worth * s(a, d) * miss[a.account_id]
            if gain > 0:
                heap.append((-gain, a.account_id, d, miss[a.account_id]))
    heapq.heapify(heap)
    while heap:
        neg, account_id, d, seen = heapq.heappop(heap)
        a = by_id[account_id]
        key = (a.collector_id, d)
        if key in out.price:
            continue
        if seen != miss[account_id]:
            gain = a.worth * s(a, d) * miss[account_id]
            if gain > 0:
                heapq.heappush(heap, (-gain, account_id, d, miss[account_id]))
            continue
        if out.load.get(key, 0) >= capacity.get(key, 0):
            out.price[key] = -neg
            continue
        book(a, d, -neg)
    return out


def test_the_sorted_entries_book_exactly_what_one_heap_of_them_books():
    """``allocate`` sorts its first entries at once and merges the re-pushed ones from a
    small heap: on random months (4 collectors, some days without room, promises, ties of
    worth and of P(home), accounts sharing one map of P(home), days missing from a map)
    its visits, loads, prices, expected values and bookings are exactly one heap's,
    floats to the last bit and lists in the same order."""
    rng = random.Random(17)
    for _ in range(40):
        days = DAYS + [DAYS[-1] + dt.timedelta(days=3 + i) for i in range(rng.randint(0, 6))]
        shared = {d: rng.choice([0.0, 0.3, 0.5, 0.8]) for d in days}
        accounts = []
        for i in range(rng.randint(1, 120)):
            if rng.random() < 0.3:
                home = shared
            else:
                home = {d: rng.choice([0.05, 0.5, rng.random()]) for d in days}
                if rng.random() < 0.2:
                    del home[rng.choice(days)]
            promise = rng.choice(days) if rng.random() < 0.1 else None
            accounts.append(
                HorizonAccount(
                    1000 - 3 * i,
                    rng.randint(1, 4),
                    rng.choice([100.0, 2500.0, rng.uniform(0, 9000)]),
                    rng.choice([0.6, rng.random()]),
                    home,
                    promise,
                )
            )
        capacity = {(c, d): rng.choice([0, 1, 2, 5]) for c in range(1, 5) for d in days}
        want, got = _one_heap(accounts, days, capacity), allocate(accounts, days, capacity)
        assert got.visits == want.visits
        assert got.load == want.load and got.price == want.price
        assert got.expected == want.expected and got.booked == want.booked
        assert list(got.booked) == list(want.booked)
        assert week(got, days) == week(want, days)
