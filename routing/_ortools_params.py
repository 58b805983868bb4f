"""Search configurations and the OR-Tools search parameters they stand for."""

from __future__ import annotations

from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

__all__ = ["CONFIGS", "SearchConfig", "search_parameters"]

_FS = routing_enums_pb2.FirstSolutionStrategy
_LS = routing_enums_pb2.LocalSearchMetaheuristic


@dataclass(frozen=True)
class SearchConfig:
    """One search configuration.

    Parameters
    ----------
    first_solution
        Name of an OR-Tools ``FirstSolutionStrategy``.
    metaheuristic
        Name of an OR-Tools ``LocalSearchMetaheuristic``.
    ils
        Run our iterated local search: ruin (string removals, ``routing._ruin``) and
        recreate plus greedy descent (OR-Tools local search), simulated-annealing
        acceptance; ``metaheuristic`` is then unused. (OR-Tools' own
        ``use_iterated_local_search`` had no effect in 9.15's Python wrapper.)
    temperature
        Initial annealing temperature of the iterated local search, as a fraction of the
        first objective (cooled 100-fold over the run).
    overrides
        ``(field, value)`` pairs set on ``RoutingSearchParameters`` (scalar fields only).
    """

    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    ils: bool = False
    temperature: float = 0.005
    overrides: tuple[tuple[str, float], ...] = ()


#: Configurations given to the parallel workers, in order (worker ``w`` uses ``w % len``).
#: A cool and a warm search: on Solomon instances at 10 s a cool start suited tight windows
#: (R1, RC1) and a warm one long routes (R2), so the two workers cover both.
CONFIGS: tuple[SearchConfig, ...] = (
    SearchConfig("PARALLEL_CHEAPEST_INSERTION", "GREEDY_DESCENT", ils=True, temperature=0.005),
    SearchConfig("LOCAL_CHEAPEST_INSERTION", "GREEDY_DESCENT", ils=True, temperature=0.03),
)


def search_parameters(
    config: SearchConfig, seconds: float, solution_limit: int | None
) -> pywrapcp.DefaultRoutingSearchParameters:
    """OR-Tools parameters for ``config`` with a time and optional solution limit."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = _FS.Value.Value(config.first_solution)
    params.local_search_metaheuristic = _LS.Value.Value(config.metaheuristic)
    for name, value in config.overrides:
        current = getattr(params, name)
        setattr(params, name, type(current)(value))
    params.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    if solution_limit is not None:
        params.solution_limit = solution_limit
    return params
