"""Collectors whose territory cannot fill their day help the others of their travel mode.

Each household has a collector responsible for it, and the planner gives an account to
that collector alone. Late in the month some territories run dry (their debts paid,
promised or away) while others still hold more visits than their collector's day: the
first collectors go home at noon while money waits next door. A collector whose own
accounts with arrears are fewer than the visits their day holds (the rolling horizon's
estimate, ``core.planning.month.visits_per_day``) is a *helper*. A busy collector (own
accounts at least filling the day) keeps the best of them (by prize, as many as the day
holds) to themself; the rest may also be visited by the helpers of the same travel mode,
the solver giving each visit to whoever fits it in (idle collectors do not swap
accounts). The responsible collector keeps the account (its horizon, its calls), and the
stop's explain names the helpers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from core.planning.month import owner, visits_per_day
from core.planning.pace import travel_of
from core.planning.valuation import Candidate
from core.planning.vehicles import Vehicle


def helpers(
    cands: Sequence[Candidate],
    vehicles: Sequence[Vehicle],
    service_s: int,
    pace: Mapping[int, int] | None = None,
) -> tuple[set[int], set[int]]:
    """Planned collectors with fewer own accounts (they are answerable for) than their
    day holds (at ``pace``, each collector's travel per visit), and those with at least
    as many (who may need help)."""
    pace = pace or {}
    own: dict[int, int] = {}
    for c in cands:
        if c.allowed:
            own[owner(c)] = own.get(owner(c), 0) + 1
    idle = {
        v.collector.id
        for v in vehicles
        if own.get(v.collector.id, 0)
        < visits_per_day(v, service_s, travel_of(pace, v.collector.id))
    }
    return idle, {v.collector.id for v in vehicles} - idle


def lend_helpers(
    cands: Sequence[Candidate],
    vehicles: Sequence[Vehicle],
    service_s: int,
    pinned: frozenset[int] = frozenset(),
    pace: Mapping[int, int] | None = None,
) -> list[Candidate]:
    """``cands`` with the helpers of the account's travel mode added to who may visit it,
    for the accounts of busy collectors (``pinned`` accounts stay their pinning
    collector's; ``pace``: each collector's travel per visit)."""
    pace = pace or {}
    idle, busy = helpers(cands, vehicles, service_s, pace)
    if not idle or not busy:
        return list(cands)
    mode = {v.collector.id: v.mode for v in vehicles}
    day = {
        v.collector.id: visits_per_day(v, service_s, travel_of(pace, v.collector.id))
        for v in vehicles
    }
    ranked: dict[int, list[Candidate]] = {}
    for c in cands:
        if c.allowed and owner(c) in busy:
            ranked.setdefault(owner(c), []).append(c)
    surplus: set[int] = set()  # beyond the best visits of the collector's own day
    for collector, cs in ranked.items():
        cs.sort(key=lambda c: (-c.prize, c.info.id))
        surplus.update(c.info.id for c in cs[day[collector] :])
    out = []
    for c in cands:
        modes = {mode[k] for k in c.allowed if k in mode}
        extra = frozenset(h for h in idle if mode[h] in modes) - c.allowed
        if c.info.id not in surplus or c.info.id in pinned or len(modes) != 1 or not extra:
            out.append(c)
            continue
        out.append(replace(c, allowed=c.allowed | extra, helpers=extra))
    return out
