"""Iterated local search around a routing engine: ruin, recreate, anneal, polish.

Pure Python; the engine (``routing._ortools_engine``) is reached through the :class:`Engine`
protocol, so OR-Tools stays confined to one module. Solutions are the engine's opaque
objects; routes are lists of stop positions per vehicle.
"""

from __future__ import annotations

import heapq
import os
import random
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

from routing._recreate import Plan
from routing._ruin import accept, ruin, worst
from routing.problem import Problem

__all__ = ["Engine", "iterate"]

#: The search stops after this many iterations without a new best (plus so many per
#: modelled stop): tiny problems finish at once, 100 stops never stop early at 10 s.
_PATIENCE_BASE = 1000
_PATIENCE_PER_STOP = 100
#: Polish a new best with the engine's local search at most once per this share of time.
_POLISH_EVERY = 0.15

S = TypeVar("S")

#: Prize-collecting: share of ruins that remove the stops paying least for their time.
_WORST_SHARE = 0.3
#: Prize-collecting: so many of the ``_EXTRA_POOL`` unrouted stops of highest density
#: (prize per second of service and approach) are offered to each recreate.
_EXTRA = 3
_EXTRA_POOL = 20


class Engine(Protocol[S]):
    """What the search needs from the solver holding the exact model."""

    def routes(self, solution: S) -> list[list[int]]:
        """Stop positions per vehicle of ``solution``."""
        ...

    def objective(self, solution: S) -> int:
        """Objective of ``solution`` (arc costs plus skip penalties)."""
        ...

    def keep(self, solution: S) -> S:
        """A copy of ``solution`` that later searches do not overwrite."""
        ...

    def polish(self, routes: list[list[int]], seconds: float) -> S | None:
        """Local search from ``routes``; ``None`` if they are infeasible."""
        ...

    def restore(self, routes: list[list[int]], seconds: float) -> S | None:
        """A complete solution (schedule, breaks) for ``routes``; ``None`` if infeasible."""
        ...


def iterate(
    problem: Problem,
    eligible: Mapping[int, Sequence[int]],
    penalty: Mapping[int, int],
    engine: Engine[S],
    solution: S,
    deadline: float,
    *,
    seed: int,
    iterations: int | None,
    temperature: float,
    reserve: float,
    margin: float,
    verify: bool,
    polish: bool = True,
) -> S:
    """Ruin and recreate from ``solution``, polished by the engine's local search.

    Parameters
    ----------
    problem, eligible, penalty
        The problem, the modelled stops with their allowed vehicles, their skip penalties.
    engine, solution
        The exact model and its first solution.
    deadline
        Wall-clock end (``time.time()``); ``reserve`` seconds are kept for the final polish
        and ``margin`` for the caller.
    seed, iterations
        Random seed; if ``iterations`` is set, the deterministic budget.
    temperature
        Initial annealing temperature as a fraction of the first objective.
    polish
        Polish new bests and the final routes with the engine's local search; without it
        the final routes are only restored (scheduled) by the engine.
    verify
        Check each new best with ``engine.restore`` (Python's break test is exact in
        intent; this is the safety net on small models).

    Returns
    -------
    S
        The best solution the engine accepted.
    """
    p = problem
    rng = random.Random(seed)
    # Breaks: the exact Python test (the conservative variant measured worse: 164k vs
    # 178k yuan on the station day).
    plan = Plan(p, eligible, penalty, engine.routes(solution), strict_breaks=False)
    # One break per vehicle is tested exactly in Python: OR-Tools' check (0.2 s a call
    # with breaks) is then only the final polish's.
    verify = verify and any(len(v.breaks) > 1 for v in p.vehicles)
    d = p.durations
    where = {i: p.stops[i].location for i in eligible}

    def distance(a: int, b: int) -> int:
        return d[where[a]][where[b]]

    fixed = [len(v.pinned) for v in p.vehicles]
    # Prize-collecting: which stops pay for their time. Density: prize per second of
    # service and approach from the nearest modelled stop (mandatory stops first).
    prized = any(p.stops[i].prize is not None for i in penalty)
    approach = {i: min((distance(i, j) for j in plan.near[i][:1]), default=0) for i in penalty}
    density = {
        i: float("inf")
        if p.stops[i].prize is None
        else penalty[i] / max(1, p.stops[i].service + approach[i])
        for i in penalty
    }

    def worth(k: int, pos: int) -> float:
        route, v = plan.routes[k], p.vehicles[k]
        i = route[pos]
        if p.stops[i].prize is None:
            return float("inf")
        a = v.start if pos == 0 else where[route[pos - 1]]
        b = v.end if pos + 1 == len(route) else where[route[pos + 1]]
        here = where[i]
        detour = d[a][here] + (0 if b is None else d[here][b] - d[a][b])
        return penalty[i] / max(1, p.stops[i].service + detour)

    current_cost = best_cost = plan.objective()
    best_routes = plan.copy_routes()
    best_solution = engine.keep(solution)
    begin = time.time()
    span = max(deadline - margin - reserve - begin, 1e-3)
    temperature0 = temperature * max(best_cost, 1)
    done = since_polish = last_gain = 0
    last_polish = begin
    patience = _PATIENCE_BASE + _PATIENCE_PER_STOP * len(eligible)
    while True:
        if iterations is not None and done >= iterations:
            break
        if done - last_gain > patience:  # stagnation: small problems stop early
            break
        now = time.time()
        if now - begin >= span:
            break
        done += 1
        since_polish += 1
        progress = done / iterations if iterations is not None else (now - begin) / span
        temperature = temperature0 * (0.01 ** min(progress, 1.0))
        saved = plan.copy_routes()
        if prized and rng.random() < _WORST_SHARE:
            removed = worst(plan.routes, fixed, worth, rng)
        else:
            removed = ruin(plan.routes, fixed, distance, rng)
        plan.remove(removed)
        routed = {i for r in plan.routes for i in r}
        unrouted = [i for i in penalty if i not in routed and i not in removed]
        others = unrouted
        if others:
            anchor = rng.choice(sorted(removed)) if removed else rng.choice(others)
            others = heapq.nsmallest(10, others, key=lambda i: (distance(anchor, i), i))
        if prized and unrouted:
            # Valuable stops far from the ruined part get their chance too.
            top = heapq.nlargest(_EXTRA_POOL, unrouted, key=lambda i: (density[i], -i))
            others += [i for i in rng.sample(top, min(_EXTRA, len(top))) if i not in others]
        candidates = sorted(removed) + others
        _order(candidates, p, rng, density if prized else None)
        plan.recreate(candidates, rng)
        cost = plan.objective()
        if not accept(cost, current_cost, temperature, rng):
            plan.set_routes(saved)
            continue
        if verify and cost < best_cost:
            left = deadline - margin - time.time()
            checked = engine.restore(plan.routes, left) if left > 0.01 else None
            if checked is None:
                plan.set_routes(saved)
                continue
            best_solution = engine.keep(checked)
        current_cost = cost
        if cost < best_cost:
            last_gain = done
            best_cost, best_routes = cost, plan.copy_routes()
            due = polish and (
                since_polish >= 200
                if iterations is not None
                else (time.time() - last_polish > _POLISH_EVERY * span)
            )
            if due:
                since_polish, last_polish = 0, time.time()
                left = deadline - margin - time.time()
                cap = min(left, max(0.3, 0.1 * span))
                found = engine.polish(best_routes, cap) if left > 0.01 else None
                if found is not None and engine.objective(found) <= best_cost:
                    best_cost = engine.objective(found)
                    best_routes = engine.routes(found)
                    best_solution = engine.keep(found)
                    plan.set_routes(best_routes)
                    current_cost = best_cost
    left = deadline - margin - time.time()
    found = engine.polish(best_routes, left) if left > 0.01 and polish else None
    if found is None and left > 0.01:
        found = engine.restore(best_routes, max(deadline - margin - time.time(), 0.05))
    if found is not None and engine.objective(found) <= best_cost:
        best_solution = found
    if os.environ.get("ROUTING_DEBUG"):
        print(f"ils: {done} iterations, best {best_cost}", file=sys.stderr)
    return best_solution


def _order(
    stops: list[int],
    problem: Problem,
    rng: random.Random,
    density: Mapping[int, float] | None = None,
) -> None:
    """Shuffle, or sort by a random SISR criterion: prize, tight windows, distance, and
    with ``density`` (prize-collecting) also prize per second of service and approach."""
    how = rng.randrange(5 if density is not None else 4)
    if how == 4 and density is not None:
        stops.sort(key=lambda i: (-density[i], i))
        return
    if how == 0:
        rng.shuffle(stops)
    elif how == 1:
        stops.sort(key=lambda i: -(problem.stops[i].prize or 1 << 40))
    elif how == 2:

        def width(i: int) -> int:
            w = problem.stops[i].time_windows
            return sum(b - a for a, b in w) if w else 1 << 40

        stops.sort(key=width)
    else:
        depot = problem.vehicles[0].start
        stops.sort(key=lambda i: -problem.durations[depot][problem.stops[i].location])
