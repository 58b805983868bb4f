"""Reading an OR-Tools assignment back: routes in stop positions, schedules, breaks."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ortools.constraint_solver import pywrapcp

from routing._ortools_model import Model

__all__ = ["RawResult", "extract", "index_routes", "stop_routes"]


@dataclass(frozen=True)
class RawResult:
    """What a search found, in stop positions and seconds (picklable).

    Parameters
    ----------
    found
        Whether any solution was found.
    objective
        OR-Tools objective (arc costs + penalties of skipped stops).
    routes
        Per vehicle, the stop positions in visit order.
    starts
        Per vehicle, the start-of-service time of each stop.
    spans
        Per vehicle, ``(departure from start, arrival at end)``.
    breaks
        Per vehicle, ``(start, duration)`` of each break taken.
    seconds
        Where the search's time went, ``(phase, seconds)`` in order.
    """

    found: bool
    objective: int
    routes: tuple[tuple[int, ...], ...]
    starts: tuple[tuple[int, ...], ...]
    spans: tuple[tuple[int, int], ...]
    breaks: tuple[tuple[tuple[int, int], ...], ...]
    seconds: tuple[tuple[str, float], ...] = ()

    def timed(self, seconds: tuple[tuple[str, float], ...]) -> RawResult:
        """This result with ``seconds`` as its timings."""
        return replace(self, seconds=seconds)


def extract(model: Model, solution: pywrapcp.Assignment) -> RawResult:
    """Routes and schedules from an assignment."""
    routing, manager, time_dim = model.routing, model.manager, model.time
    routes, starts, spans, breaks = [], [], [], []
    taken: dict[str, tuple[int, int]] = {}
    container = solution.IntervalVarContainer()
    for j in range(container.Size()):
        element = container.Element(j)
        if element.PerformedValue():
            taken[element.Var().Name()] = (element.StartValue(), element.DurationValue())
    for k in range(len(model.problem.vehicles)):
        index = routing.Start(k)
        start = solution.Value(time_dim.CumulVar(index))
        route, when = [], []
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            route.append(model.stops[manager.IndexToNode(index)])
            when.append(solution.Value(time_dim.CumulVar(index)))
            index = solution.Value(routing.NextVar(index))
        end = solution.Value(time_dim.CumulVar(index))
        routes.append(tuple(route))
        starts.append(tuple(when))
        spans.append((start, end))
        names = [f"break_{k}_{j}" for j in range(len(model.problem.vehicles[k].breaks))]
        breaks.append(tuple(sorted(taken[n] for n in names if n in taken)))
    return RawResult(
        True,
        solution.ObjectiveValue(),
        tuple(routes),
        tuple(starts),
        tuple(spans),
        tuple(breaks),
    )


def stop_routes(model: Model, solution: pywrapcp.Assignment) -> list[list[int]]:
    """Stop positions of the visits of each vehicle."""
    routing, manager = model.routing, model.manager
    out = []
    for k in range(len(model.problem.vehicles)):
        route, index = [], solution.Value(routing.NextVar(routing.Start(k)))
        while not routing.IsEnd(index):
            route.append(model.stops[manager.IndexToNode(index)])
            index = solution.Value(routing.NextVar(index))
        out.append(route)
    return out


def index_routes(model: Model, routes: list[list[int]]) -> list[list[int]]:
    """Routing indices of stop-position routes."""
    return [[model.index(i) for i in r] for r in routes]
