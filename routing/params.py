"""Parameters of one solve: budget, seed, parallelism and warm start."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from routing.errors import ProblemError

__all__ = ["SolveParams"]


@dataclass(frozen=True)
class SolveParams:
    """How to search.

    Parameters
    ----------
    time_limit
        Wall-clock budget in seconds for the whole call (model building included). Always
        honoured, give or take a few tens of milliseconds.
    seed
        Seed for the search; the same seed, problem and *deterministic* budget give the same
        answer (see ``solution_limit``).
    solution_limit
        The deterministic budget: if set, each search runs this many ruin-and-recreate
        iterations (and its local searches to their local optimum) instead of running
        until the time limit. With it, and a ``time_limit`` generous enough never to be
        reached, results are reproducible. With only a time limit the result depends on
        the machine's speed and load.
    polish
        Polish new bests and the final routes with OR-Tools' local search. Off, a search
        with ``solution_limit`` does exactly that many iterations and no more: a fixed
        effort whose cost does not grow with a long-running descent (the month simulation
        compares policies with it).
    workers
        Number of searches run side by side in separate processes (different
        configurations; the best result is kept). ``1`` runs in-process.
    initial_routes
        Warm start: vehicle id to ordered stop ids (e.g. a previous plan). Infeasible or
        stale routes are repaired or ignored, never an error.
    """

    time_limit: float = 10.0
    seed: int = 0
    solution_limit: int | None = None
    workers: int = 2
    polish: bool = True
    initial_routes: Mapping[str, Sequence[str]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def __post_init__(self) -> None:
        limit = self.time_limit
        if (
            isinstance(limit, bool)
            or not isinstance(limit, int | float)
            or not math.isfinite(limit)
        ):
            raise ProblemError("time_limit", f"expected a finite number, got {limit!r}")
        if limit <= 0:
            raise ProblemError("time_limit", f"must be > 0, got {limit}")
        if type(self.seed) is not int or self.seed < 0:
            raise ProblemError("seed", f"expected a non-negative integer, got {self.seed!r}")
        if self.solution_limit is not None and (
            type(self.solution_limit) is not int or self.solution_limit < 1
        ):
            raise ProblemError(
                "solution_limit", f"expected a positive integer, got {self.solution_limit!r}"
            )
        if not isinstance(self.polish, bool):
            raise ProblemError("polish", f"expected a boolean, got {self.polish!r}")
        if type(self.workers) is not int or not 1 <= self.workers <= 8:
            raise ProblemError("workers", f"expected an integer in 1..8, got {self.workers!r}")
        routes = {str(k): tuple(v) for k, v in dict(self.initial_routes).items()}
        object.__setattr__(self, "initial_routes", MappingProxyType(routes))
