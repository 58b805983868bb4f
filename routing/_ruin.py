"""Ruin step of the iterated local search: remove strings of nearby stops (SISR-like).

After Christiaens and Vanden Berghe's "slack induction by string removals": pick a random
routed stop, then walk its nearest routed stops and cut, in each of a few routes met, a
string of consecutive stops containing the neighbour. Pure Python, no OR-Tools.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

__all__ = ["accept", "ruin", "worst"]


def ruin(
    routes: Sequence[Sequence[int]],
    fixed: Sequence[int],
    distance: Callable[[int, int], int],
    rng: random.Random,
    avg_removed: int = 10,
    max_string: int = 10,
) -> set[int]:
    """Choose stops to remove from ``routes``.

    Parameters
    ----------
    routes
        Stops per vehicle, in order.
    fixed
        Per vehicle, the length of the prefix that must not be touched (pinned stops).
    distance
        Distance between two stops (used to find neighbours).
    rng
        Random generator (the only source of randomness: seeded for determinism).
    avg_removed
        Average number of stops removed.
    max_string
        Longest string cut from one route.

    Returns
    -------
    set of int
        The stops to remove.
    """
    where: dict[int, tuple[int, int]] = {}
    for k, route in enumerate(routes):
        for pos in range(fixed[k], len(route)):
            where[route[pos]] = (k, pos)
    if not where:
        return set()
    movable = sorted(where)
    seed = rng.choice(movable)
    cap = min(max_string, max(1, len(movable) // max(1, sum(1 for r in routes if r))))
    target = rng.randint(1, 2 * avg_removed - 1)
    max_routes = max(1, round(4 * target / (1 + cap)) - 1)
    removed: set[int] = set()
    ruined: set[int] = set()
    for stop in sorted(movable, key=lambda s: (distance(seed, s), s)):
        if len(removed) >= target or len(ruined) >= max_routes:
            break
        k, pos = where[stop]
        if k in ruined:
            continue
        ruined.add(k)
        free = len(routes[k]) - fixed[k]
        length = rng.randint(1, min(cap, free))
        first = rng.randint(max(fixed[k], pos - length + 1), min(pos, len(routes[k]) - length))
        removed.update(routes[k][first : first + length])
    return removed


def worst(
    routes: Sequence[Sequence[int]],
    fixed: Sequence[int],
    worth: Callable[[int, int], float],
    rng: random.Random,
    avg_removed: int = 10,
    greed: float = 3.0,
) -> set[int]:
    """Choose stops that pay least for the time they take (randomised worst removal).

    Parameters
    ----------
    routes, fixed, rng, avg_removed
        As in :func:`ruin`.
    worth
        ``worth(k, pos)``: what the stop at ``pos`` of route ``k`` brings per unit of the
        time it takes (e.g. prize over detour plus service).
    greed
        Stops are drawn from the list sorted by worth at index ``len x u^greed`` (``u``
        uniform): the higher, the more often the very worst are taken.

    Returns
    -------
    set of int
        The stops to remove.
    """
    ranked = sorted(
        (worth(k, pos), route[pos])
        for k, route in enumerate(routes)
        for pos in range(fixed[k], len(route))
    )
    target = min(len(ranked), rng.randint(1, 2 * avg_removed - 1))
    removed: set[int] = set()
    while len(removed) < target:
        removed.add(ranked.pop(int(len(ranked) * rng.random() ** greed))[1])
    return removed


def accept(candidate: int, current: int, temperature: float, rng: random.Random) -> bool:
    """Simulated-annealing acceptance of a candidate objective against the current one."""
    if candidate <= current:
        return True
    if temperature <= 0:
        return False
    return rng.random() < math.exp(-(candidate - current) / temperature)
