"""The OR-Tools model as the iterated local search sees it (``routing._ils.Engine``)."""

from __future__ import annotations

import time

from ortools.constraint_solver import pywrapcp

from routing._ortools_model import Model
from routing._ortools_params import SearchConfig, search_parameters
from routing._ortools_read import index_routes, stop_routes

__all__ = ["Engine"]

_DESCENT = SearchConfig("AUTOMATIC", "GREEDY_DESCENT")


def _descend(
    model: Model, routes: list[list[int]], seconds: float, limit: int | None
) -> pywrapcp.Assignment | None:
    began = time.time()
    start = model.routing.ReadAssignmentFromRoutes(index_routes(model, routes), True)
    if start is None:
        return None
    # Reading the routes takes ~0.7 s on 500 stops with breaks: it comes out of the budget.
    params = search_parameters(_DESCENT, seconds - (time.time() - began), limit)
    return model.routing.SolveFromAssignmentWithParameters(start, params)


class Engine:
    """Routes, objective, copies, polish and restore on one OR-Tools model."""

    def __init__(self, model: Model) -> None:
        self.model = model

    def routes(self, solution: pywrapcp.Assignment) -> list[list[int]]:
        return stop_routes(self.model, solution)

    def objective(self, solution: pywrapcp.Assignment) -> int:
        return int(solution.ObjectiveValue())

    def keep(self, solution: pywrapcp.Assignment) -> pywrapcp.Assignment:
        return self.model.routing.solver().Assignment(solution)

    def polish(self, routes: list[list[int]], seconds: float) -> pywrapcp.Assignment | None:
        """OR-Tools local search (greedy descent) from ``routes`` (stop positions)."""
        return _descend(self.model, routes, seconds, None)

    def restore(self, routes: list[list[int]], seconds: float) -> pywrapcp.Assignment | None:
        """A complete assignment (schedule and breaks) for ``routes``, or None if infeasible."""
        return _descend(self.model, routes, seconds, 1)
