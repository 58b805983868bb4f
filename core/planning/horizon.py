"""Plan the rest of the month, commit today: a rolling horizon over the working days left.

Each morning the month's remaining delinquent accounts are spread over the remaining
working days of their collector (absent days and holidays have no capacity), greedily by
the money each visit adds to the month-end recovery: a visit on day ``d`` to an account
already given visits ``S`` adds ``worth x s_d x prod_{S} (1 - s)``, where ``s_d = P(pay) x
P(home on d)`` (the calendar's return periods and market days included) and ``worth`` is
the amount the station still lacks at month end if nobody collects it. Promises take
their day first. A collector-day that fills up has a *slot price*: the best visit it had
to turn away.

The plan day is the horizon's first day: the accounts it books today are committed to
today and keep their full prize in the detailed solve (``core.planning.compute``); any
other's prize is multiplied by :func:`today_factor`, what a visit today adds given the
later visits the horizon gave the account (``prod (1 - s)`` over them) plus the slots it
frees if it pays today (their prices over ``worth``), so it goes today only where a
route passes by. An account the horizon can reach later on better days (a migrant home
at Spring Festival) waits; one whose last chance is today keeps its full prize; on the
month's last working day every factor is 1.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class HorizonAccount:
    """An account with arrears as the horizon sees it.

    Attributes
    ----------
    worth
        Fen recovered if a visit finds the customer home and paying (self-payment and
        priority included).
    p_pay
        P(pay | home).
    home
        P(home) at the best band of each future working day.
    promise_day
        A promise falls due that day: a visit is booked there first.
    """

    account_id: int
    collector_id: int
    worth: float
    p_pay: float
    home: Mapping[dt.date, float]
    promise_day: dt.date | None = None


@dataclass
class Allocation:
    """The horizon's provisional visits and the price of each collector-day's last slot."""

    visits: dict[int, list[dt.date]] = field(default_factory=dict)
    price: dict[tuple[int, dt.date], float] = field(default_factory=dict)
    load: dict[tuple[int, dt.date], int] = field(default_factory=dict)
    #: Expected fen of each collector-day's visits, and the accounts booked on it.
    expected: dict[tuple[int, dt.date], float] = field(default_factory=dict)
    booked: dict[tuple[int, dt.date], list[int]] = field(default_factory=dict)


def allocate(
    accounts: Sequence[HorizonAccount],
    days: Sequence[dt.date],
    capacity: Mapping[tuple[int, dt.date], int],
) -> Allocation:
    """Spread visits over ``days`` within each collector-day's ``capacity`` (lazy greedy
    on the marginal money: the gains only fall as an account gets visits, so a popped
    entry whose gain is still current is the best one left)."""
    out = Allocation()
    by_id = {a.account_id: a for a in accounts}
    miss: dict[int, float] = {a.account_id: 1.0 for a in accounts}  # prod (1 - s) so far
    day_set = set(days)

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
        if a.promise_day in day_set:
            d = a.promise_day
            assert d is not None
            book(a, d, a.worth * s(a, d))
    # Every (account, day) with room and a positive gain, best first: the order a heap of
    # tuples (-gain, account_id, day, miss) pops them in, sorted at once (numpy's products
    # are the same IEEE operations as Python's); entries re-pushed when stale go to a heap
    # merged with that order, so the visits come out exactly as one heap of all of them.
    ordered, opened = _entries(accounts, list(days), capacity, miss)
    open_days = set(opened)
    neg_l, aid_l, day_l, seen_l = ordered
    heap: list[tuple[float, int, dt.date, float]] = []
    k, total = 0, len(neg_l)
    # The collector-days an entry can still change: a full day that has its price turns
    # every later entry away unread, and once no day is left open the rest are skipped.
    while (k < total or heap) and open_days:
        if k < total:
            entry = (neg_l[k], aid_l[k], day_l[k], seen_l[k])
            if heap and heap[0] < entry:
                entry = heapq.heappop(heap)
            else:
                k += 1
        else:
            entry = heapq.heappop(heap)
        neg, account_id, d, seen = entry
        a = by_id[account_id]
        key = (a.collector_id, d)
        if key in out.price:
            continue
        if seen != miss[account_id]:  # stale: the account got a visit since
            gain = a.worth * s(a, d) * miss[account_id]
            if gain > 0:
                heapq.heappush(heap, (-gain, account_id, d, miss[account_id]))
            continue
        if out.load.get(key, 0) >= capacity.get(key, 0):
            out.price[key] = -neg  # the best visit this full day turned away
            open_days.discard(key)
            continue
        book(a, d, -neg)
    return out


def _entries(
    accounts: Sequence[HorizonAccount],
    days: list[dt.date],
    capacity: Mapping[tuple[int, dt.date], int],
    miss: Mapping[int, float],
) -> tuple[tuple[list[float], list[int], list[dt.date], list[float]], list[tuple[int, dt.date]]]:
    """The greedy's first entries ``(-gain, account_id, day, miss)`` as four columns in
    the order of the tuples, and the collector-days they fall on. An entry: a day other
    than the account's promise day, with room on its collector's day and a positive
    ``gain = worth x (p_pay x home) x miss``."""
    n, m = len(accounts), len(days)
    if not n or not m:
        return ([], [], [], []), []
    # Accounts often share one map of P(home) (the same rates in the same village).
    rows: dict[int, list[float]] = {}
    home = []
    for a in accounts:
        row = rows.get(id(a.home))
        if row is None:
            row = rows[id(a.home)] = [a.home.get(d, 0.0) for d in days]
        home.append(row)
    p_pay = np.fromiter((a.p_pay for a in accounts), np.float64, n)
    worth = np.fromiter((a.worth for a in accounts), np.float64, n)
    seen = np.fromiter((miss[a.account_id] for a in accounts), np.float64, n)
    gain = (worth[:, None] * (p_pay[:, None] * np.asarray(home, dtype=np.float64))) * seen[:, None]
    collectors = sorted({a.collector_id for a in accounts})
    col = {c: i for i, c in enumerate(collectors)}
    room = np.asarray([[capacity.get((c, d), 0) > 0 for d in days] for c in collectors])
    who = np.fromiter((col[a.collector_id] for a in accounts), np.int64, n)
    at = {d: j for j, d in enumerate(days)}
    promise = np.fromiter((at.get(a.promise_day, -1) for a in accounts), np.int64, n)  # type: ignore[arg-type]
    keep = (gain > 0) & room[who] & (np.arange(m)[None, :] != promise[:, None])
    i, j = np.nonzero(keep)
    neg = -gain[i, j]
    ids = np.fromiter((a.account_id for a in accounts), np.int64, n)[i]
    ordinal = np.fromiter((d.toordinal() for d in days), np.int64, m)[j]
    order = np.lexsort((ordinal, ids, neg))
    opened = np.zeros((len(collectors), m), dtype=bool)
    opened[who[i], j] = True
    days_at = [days[x] for x in j[order].tolist()]
    return (
        (neg[order].tolist(), ids[order].tolist(), days_at, seen[i][order].tolist()),
        [(collectors[c], days[d]) for c, d in zip(*np.nonzero(opened), strict=True)],
    )


def today_factor(a: HorizonAccount, alloc: Allocation, today: dt.date) -> float:
    """Share of a visit's prize that is today's merit: 1 for an account the horizon
    commits to today, else given its later visits (see the module docstring); 1 without
    any."""
    booked = alloc.visits.get(a.account_id, [])
    later = [d for d in booked if d != today]
    if today in booked or not later or a.worth <= 0:
        return 1.0
    keep = 1.0
    freed = 0.0
    for d in later:
        keep *= 1.0 - a.p_pay * a.home.get(d, 0.0)
        freed += alloc.price.get((a.collector_id, d), 0.0)
    return max(0.0, min(1.0, keep + freed / a.worth))


def week(alloc: Allocation, days: Sequence[dt.date], n: int = 5) -> list[dict[str, object]]:
    """The provisional next ``n`` working days: per collector, the accounts booked and
    what they are expected to bring (yuan)."""
    out: list[dict[str, object]] = []
    for d in list(days)[:n]:
        collectors = sorted({c for c, day in alloc.load if day == d})
        rows = []
        for c in collectors:
            rows.append(
                {
                    "collector_id": c,
                    "visits": alloc.load.get((c, d), 0),
                    "account_ids": sorted(alloc.booked.get((c, d), [])),
                    "expected_value": f"{alloc.expected.get((c, d), 0.0) / 100:.2f}",
                    "slot_price": f"{alloc.price.get((c, d), 0.0) / 100:.2f}",
                }
            )
        out.append({"date": d.isoformat(), "collectors": rows})
    return out
