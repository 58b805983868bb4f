"""The rolling horizon and the call list applied to a day's valued candidates.

:func:`roll` spreads the month's remaining accounts over the collectors' remaining
working days (``core.planning.horizon``) and scales each of today's prizes by the share
that is today's merit; :func:`call_list` ranks whom each collector should call about the
day by the expected gain from knowing (``core.planning.calls``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from core.planning import candidates as cand
from core.planning.calendar import DayContext, StationCalendar
from core.planning.calls import CALLS_PER_EVENING, CallRates, gain_from_knowing, p_home_any
from core.planning.draft import PlanRequest
from core.planning.horizon import Allocation, HorizonAccount, allocate, today_factor, week
from core.planning.valuation import Candidate
from core.planning.vehicles import Vehicle
from core.planning.visit_value import month_end

#: Travel between two visits assumed when a collector-day's capacity is estimated and no
#: measure of the day is at hand, seconds (``core.planning.pace`` measures it per collector
#: on the day's candidates).
TRAVEL_PER_VISIT_S = 330


@dataclass(frozen=True)
class Rolled:
    """The horizon behind a day's plan."""

    days: list[dt.date]
    allocation: Allocation
    capacity: dict[int, int]

    def week(self) -> list[dict[str, object]]:
        return week(self.allocation, self.days)


def visits_per_day(v: Vehicle, service_s: int, travel_s: int = TRAVEL_PER_VISIT_S) -> int:
    """About how many visits the collector's shift holds at ``travel_s`` between doors."""
    free = v.shift[1] - v.shift[0] - sum(b.duration for b in v.breaks)
    fits = max(0, free // (service_s + travel_s))
    return fits if v.max_stops is None else min(fits, v.max_stops)


def owner(c: Candidate) -> int:
    """The one collector the horizon books the account's visits with."""
    if c.info.responsible in c.allowed:
        return c.info.responsible
    return min(c.allowed)


def worth_fen(c: Candidate) -> float:
    """Fen a visit recovers if the customer is home and pays, as the prize counts it."""
    return float(c.due.total) * 100 * (1 - c.value.p_self) * c.priority.factor


def roll(
    session: Session,
    cands: Sequence[Candidate],
    vehicles: Sequence[Vehicle],
    req: PlanRequest,
    calendar: StationCalendar,
    capacity: Mapping[int, int],
) -> tuple[list[Candidate], Rolled]:
    """Today's candidates with their horizon factors, and the horizon; ``capacity`` is
    the visits each collector's day holds (``core.planning.pace``)."""
    day = req.plan_date
    end = month_end(day)
    days = [day, *calendar.working_days(day + dt.timedelta(days=1), end)]
    per_day = {v.collector.id: capacity[v.collector.id] for v in vehicles}
    slots = {(c, d): n for c, n in per_day.items() for d in days}
    promised = cand.promise_days(session, [c.info.id for c in cands], day, end)
    accounts: dict[int, HorizonAccount] = {}
    # A station's accounts share few villages and, without history, their P(home): each
    # day's context is worked out once per village, and the best P(home) of each day once
    # per village and what ``Rates.home_on`` reads (P(home) per band, on return days, the
    # market and weekday factors); the accounts that share them share one map.
    contexts: dict[str, list[DayContext]] = {}
    best_home: dict[tuple[object, ...], float] = {}
    homes: dict[tuple[object, ...], dict[dt.date, float]] = {}
    for c in cands:
        if not c.allowed:
            continue
        r = c.rates
        sig = (r.p_home, r.p_home_return, r.market, r.weekday, c.info.village)
        home = homes.get(sig)
        if home is None:
            village = contexts.get(c.info.village)
            if village is None:
                village = contexts[c.info.village] = [
                    calendar.context(d, c.info.village) for d in days
                ]
            home = homes[sig] = {}
            for d, ctx in zip(days, village, strict=True):
                key = (*sig[:4], ctx.weekday, ctx.returning, ctx.market)
                p = best_home.get(key)
                if p is None:
                    p = best_home[key] = max(r.home_on(ctx))
                home[d] = p
        accounts[c.info.id] = HorizonAccount(
            c.info.id, owner(c), worth_fen(c), c.rates.p_pay, home, promised.get(c.info.id)
        )
    alloc = allocate(list(accounts.values()), days, slots)
    out = []
    for c in cands:
        if not c.mandatory and c.info.id in accounts:
            factor = today_factor(accounts[c.info.id], alloc, day)
            if factor != c.today:  # an equal copy of the others is not made
                c = replace(c, today=factor)
        out.append(c)
    return out, Rolled(days, alloc, per_day)


def call_list(
    cands: Sequence[Candidate],
    capacity: dict[int, int],
    rates: CallRates,
    per_collector: int = CALLS_PER_EVENING,
) -> dict[int, list[dict[str, object]]]:
    """Whom each collector should call about the day first, by the expected gain from
    knowing; accounts already called about it, without a phone or promised are left out.

    A collector's slot is worth their marginal candidate: the prize of the one that would
    just fill the day (``capacity`` visits)."""
    mine: dict[int, list[Candidate]] = {}
    for c in cands:
        if c.allowed:
            mine.setdefault(owner(c), []).append(c)
    out: dict[int, list[dict[str, object]]] = {}
    for collector, cs in sorted(mine.items()):
        prizes = sorted((c.prize for c in cs), reverse=True)
        n = capacity.get(collector, 0)
        slot = float(prizes[n]) if n < len(prizes) else 0.0
        ranked = []
        for c in cs:
            if c.call is not None or not c.info.phone or c.mandatory:
                continue
            worth = worth_fen(c) * c.today
            gain = gain_from_knowing(
                worth, c.value.p_pay, c.value.p_home, p_home_any(c.rates.p_home), slot, rates
            )
            if gain > 0:
                ranked.append((gain, c))
        ranked.sort(key=lambda x: (-x[0], x[1].info.id))
        out[collector] = [
            {
                "account_id": c.info.id,
                "gain_fen": round(g),
                "p_pay": round(c.value.p_pay, 3),
                "p_home": round(c.value.p_home, 3),
            }
            for g, c in ranked[:per_collector]
        ]
    return out
