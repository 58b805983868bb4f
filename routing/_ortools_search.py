"""One search: build the model, find a first solution, improve it, read it back."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence

from routing._ils import iterate
from routing._ortools_engine import Engine
from routing._ortools_model import Model, penalties
from routing._ortools_params import SearchConfig, search_parameters
from routing._ortools_read import RawResult, extract
from routing.problem import Problem

__all__ = ["search"]

#: Seconds kept back from the budget for process hand-over and classification.
_MARGIN = 0.15
#: Above this many modelled stops the first solution skips OR-Tools' local search.
_BIG = 300
#: Seconds per modelled stop below which the iterated local search is not started after
#: the first solution: its set-up and final polish alone take about a second on a station
#: day (520 stops), a quarter of that on one collector's re-plan (150 stops).
_ILS_MIN_PER_STOP = 0.002
#: ... and never with less than this left.
_ILS_MIN = 0.25
#: Seconds per modelled stop needed to try OR-Tools' own first solution after a warm
#: start failed (it took 4-8 s for 540 stops on this machine).
_COLD_MIN_PER_STOP = 0.01


def search(
    problem: Problem,
    eligible: Mapping[int, Sequence[int]],
    config: SearchConfig,
    deadline: float,
    seed: int,
    solution_limit: int | None,
    initial_routes: Mapping[int, Sequence[int]],
    *,
    polish: bool = True,
) -> RawResult:
    """Build the model and search it until ``deadline`` (a ``time.time()`` value).

    Parameters
    ----------
    problem
        The problem.
    eligible
        Stop position to the vehicle positions allowed to serve it (modelled stops only).
    config
        Search configuration.
    deadline
        Wall-clock time at which the search must have returned.
    seed
        Shuffles the node order (``0``: the problem's order).
    solution_limit
        Stop after this many improving solutions (deterministic budget) if set.
    initial_routes
        Warm start, vehicle position to stop positions.
    polish
        Let the iterated local search polish with OR-Tools' local search.

    Returns
    -------
    RawResult
        The best solution found, or ``found=False``.
    """
    nv = len(problem.vehicles)
    empty = RawResult(False, 0, ((),) * nv, ((),) * nv, ((0, 0),) * nv, ((),) * nv)
    built = time.time()
    model = Model(problem, eligible, seed)
    seconds = deadline - time.time() - _MARGIN
    if seconds <= 0.01:
        return empty.timed((("model", time.time() - built),))
    if config.ils:
        first = SearchConfig(config.first_solution, "GREEDY_DESCENT", overrides=config.overrides)
        params = search_parameters(first, seconds, None)
    else:
        params = search_parameters(config, seconds, solution_limit)
    model.routing.CloseModelWithParameters(params)
    model.pin()
    began = time.time()
    timings = [("model", began - built)]
    # Closing the model takes its own time: the first solution gets what is left.
    seconds = max(0.01, deadline - began - _MARGIN)
    if config.ils:
        # OR-Tools' local search is slow on big models: the first solution alone.
        params = search_parameters(first, seconds, 1 if len(model.stops) > _BIG else None)
    else:
        params = search_parameters(config, seconds, solution_limit)
    start = model.initial(initial_routes) if initial_routes else None
    solution = None
    if start is not None:
        solution = model.routing.SolveFromAssignmentWithParameters(start, params)
    # OR-Tools' own first solution does not stop at its limit: on a big model, after a
    # warm start that could not be completed, it is tried only with time for it (the
    # caller falls back on the greedy day), else the search would run that far late.
    left = deadline - time.time() - _MARGIN
    cold_ok = len(model.stops) <= _BIG or left > _COLD_MIN_PER_STOP * len(model.stops)
    if solution is None and (not initial_routes or cold_ok):
        solution = model.routing.SolveWithParameters(params)
    model.first_seconds = time.time() - began
    timings.append(("first_solution", model.first_seconds))
    if os.environ.get("ROUTING_DEBUG"):
        print(
            f"model {began - built:.2f} s, first solution {model.first_seconds:.2f} s, "
            f"{deadline - time.time():.2f} s left",
            file=sys.stderr,
        )
    if solution is None:
        return empty.timed(tuple(timings))
    ils_min = max(_ILS_MIN, _ILS_MIN_PER_STOP * len(model.stops))
    improved = time.time()
    if config.ils and deadline - time.time() - _MARGIN > ils_min:
        solution = iterate(
            problem,
            model.eligible,
            penalties(model),
            Engine(model),
            solution,
            deadline,
            seed=seed,
            iterations=solution_limit,
            temperature=config.temperature,
            reserve=min(0.25 * (deadline - time.time()), 1.5 * model.first_seconds),
            margin=_MARGIN,
            verify=any(v.breaks for v in problem.vehicles) and len(model.stops) <= _BIG,
            polish=polish,
        )
        timings.append(("improve", time.time() - improved))
    return extract(model, solution).timed(tuple(timings))
