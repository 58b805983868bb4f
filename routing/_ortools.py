"""The only module that imports OR-Tools: builds one routing model and searches it.

Nodes: the modelled stops first (in an order shuffled by the seed), then one start node and
one end node per vehicle. An open end is a dummy node reached at zero time and cost.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from routing._ils import iterate
from routing.problem import Problem, stop_index

__all__ = ["CONFIGS", "RawResult", "SearchConfig", "mandatory_penalty", "search"]

_FS = routing_enums_pb2.FirstSolutionStrategy
_LS = routing_enums_pb2.LocalSearchMetaheuristic

#: Seconds kept back from the budget for process hand-over and classification.
_MARGIN = 0.15
#: Above this many modelled stops the first solution skips OR-Tools' local search.
_BIG = 300


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
    """

    found: bool
    objective: int
    routes: tuple[tuple[int, ...], ...]
    starts: tuple[tuple[int, ...], ...]
    spans: tuple[tuple[int, int], ...]
    breaks: tuple[tuple[tuple[int, int], ...], ...]


def mandatory_penalty(problem: Problem) -> int:
    """Skip penalty of a mandatory stop: dominant, yet of the order of a few detours.

    Twenty times the largest arc cost plus five times the largest prize: serving a
    mandatory stop beats any detour and displacing up to five optional stops, while the
    penalty stays close to route lengths so that guided local search keeps working.
    """
    matrix = problem.costs if problem.costs is not None else problem.durations
    biggest = max(max(row) for row in matrix)
    prize = max((s.prize or 0 for s in problem.stops), default=0)
    return 20 * max(biggest, 1) + 5 * prize


def _shuffled(stops: Sequence[int], seed: int) -> list[int]:
    order = sorted(stops)
    if seed:
        random.Random(seed).shuffle(order)
    return order


class _Model:
    """A routing model for the modelled stops of ``problem``."""

    def __init__(self, problem: Problem, eligible: Mapping[int, Sequence[int]], seed: int) -> None:
        self.problem = problem
        self.stops = _shuffled(list(eligible), seed)
        self.eligible = eligible
        self.first_seconds = 0.0
        m, nv = len(self.stops), len(problem.vehicles)
        self.m = m
        locs: list[int | None] = [problem.stops[i].location for i in self.stops]
        locs += [v.start for v in problem.vehicles] + [v.end for v in problem.vehicles]
        service = [problem.stops[i].service for i in self.stops] + [0] * (2 * nv)
        self.manager = pywrapcp.RoutingIndexManager(
            m + 2 * nv, nv, [m + k for k in range(nv)], [m + nv + k for k in range(nv)]
        )
        self.routing = pywrapcp.RoutingModel(self.manager)
        d = problem.durations
        c = problem.costs if problem.costs is not None else d
        zero = [0] * len(locs)
        times: list[list[int]] = []
        costs: list[list[int]] = []
        for i, li in enumerate(locs):
            if li is None or i >= m + nv:
                times.append(zero)
                costs.append(zero)
                continue
            di, ci, si = d[li], c[li], service[i]
            times.append([si if lj is None else si + di[lj] for lj in locs])
            costs.append([0 if lj is None else ci[lj] for lj in locs])
        routing = self.routing
        routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(costs))
        horizon = max(v.shift[1] for v in problem.vehicles)
        routing.AddDimension(routing.RegisterTransitMatrix(times), horizon, horizon, False, "Time")
        self.time = routing.GetDimensionOrDie("Time")
        self._add_capacities()
        self._add_windows_and_disjunctions(eligible)
        self._add_breaks(service)
        for k, v in enumerate(problem.vehicles):
            self.time.CumulVar(routing.Start(k)).SetRange(v.shift[0], v.shift[1])
            self.time.CumulVar(routing.End(k)).SetRange(v.shift[0], v.shift[1])
            routing.AddVariableMaximizedByFinalizer(self.time.CumulVar(routing.Start(k)))
            routing.AddVariableMinimizedByFinalizer(self.time.CumulVar(routing.End(k)))

    def index(self, stop: int) -> int:
        """Routing index of a stop position."""
        return int(self.manager.NodeToIndex(self.node_of[stop]))

    @property
    def node_of(self) -> dict[int, int]:
        """Stop position to node."""
        if not hasattr(self, "_node_of"):
            self._node_of = {s: n for n, s in enumerate(self.stops)}
        return self._node_of

    def _add_capacities(self) -> None:
        p, routing, m = self.problem, self.routing, self.m
        nv = len(p.vehicles)
        demand = [p.stops[i].demand for i in self.stops] + [0] * (2 * nv)
        if any(v.capacity is not None for v in p.vehicles) and any(demand):
            total = sum(demand)
            caps = [total if v.capacity is None else v.capacity for v in p.vehicles]
            cb = routing.RegisterUnaryTransitVector(demand)
            routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, "Load")
        if any(v.max_stops is not None for v in p.vehicles):
            caps = [m if v.max_stops is None else v.max_stops for v in p.vehicles]
            cb = routing.RegisterUnaryTransitVector([1] * m + [0] * (2 * nv))
            routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, "Stops")

    def _add_windows_and_disjunctions(self, eligible: Mapping[int, Sequence[int]]) -> None:
        p, routing = self.problem, self.routing
        pinned = {sid for v in p.vehicles for sid in v.pinned}
        penalty = mandatory_penalty(p)
        nv = len(p.vehicles)
        for node, i in enumerate(self.stops):
            s = p.stops[i]
            idx = self.manager.NodeToIndex(node)
            if s.id in pinned:
                continue
            routing.AddDisjunction([idx], penalty if s.prize is None else s.prize)
            if len(eligible[i]) < nv:
                routing.VehicleVar(idx).SetValues([-1, *eligible[i]])
            if s.time_windows:
                cumul = self.time.CumulVar(idx)
                cumul.SetRange(s.time_windows[0][0], s.time_windows[-1][1])
                for (_, b), (a, _) in zip(s.time_windows, s.time_windows[1:], strict=False):
                    cumul.RemoveInterval(b + 1, a - 1)

    def _add_breaks(self, service: list[int]) -> None:
        p, routing = self.problem, self.routing
        if not any(v.breaks for v in p.vehicles):
            return
        solver = routing.solver()
        visit = [service[self.manager.IndexToNode(i)] for i in range(routing.Size())]
        self.break_vars: list[list[pywrapcp.IntervalVar]] = []
        for k, v in enumerate(p.vehicles):
            intervals = [
                solver.FixedDurationIntervalVar(
                    b.window[0], b.window[1], b.duration, False, f"break_{k}_{j}"
                )
                for j, b in enumerate(v.breaks)
            ]
            self.break_vars.append(intervals)
            if intervals:
                self.time.SetBreakIntervalsOfVehicle(intervals, k, visit)

    def pin(self) -> None:
        """Force each vehicle's route to begin with its pinned stops (after closing)."""
        index = stop_index(self.problem)
        for k, v in enumerate(self.problem.vehicles):
            prev = self.routing.Start(k)
            for sid in v.pinned:
                idx = self.index(index[sid])
                self.routing.NextVar(prev).SetValue(idx)
                self.routing.VehicleVar(idx).SetValue(k)
                prev = idx

    def initial(self, routes: Mapping[int, Sequence[int]]) -> pywrapcp.Assignment | None:
        """An assignment from warm-start routes (vehicle position to stop positions)."""
        p = self.problem
        index = stop_index(p)
        lists: list[list[int]] = []
        used: set[int] = set()
        for k, v in enumerate(p.vehicles):
            pins = [index[sid] for sid in v.pinned]
            rest = [i for i in routes.get(k, ()) if i in self.node_of and i not in pins]
            seq = [i for i in pins + rest if i not in used]
            used.update(seq)
            lists.append([self.index(i) for i in seq])
        return self.routing.ReadAssignmentFromRoutes(lists, True)

    def extract(self, solution: pywrapcp.Assignment) -> RawResult:
        """Routes and schedules from an assignment."""
        routing, manager, time_dim = self.routing, self.manager, self.time
        routes, starts, spans, breaks = [], [], [], []
        taken: dict[str, tuple[int, int]] = {}
        container = solution.IntervalVarContainer()
        for j in range(container.Size()):
            element = container.Element(j)
            if element.PerformedValue():
                taken[element.Var().Name()] = (element.StartValue(), element.DurationValue())
        for k in range(len(self.problem.vehicles)):
            index = routing.Start(k)
            start = solution.Value(time_dim.CumulVar(index))
            route, when = [], []
            index = solution.Value(routing.NextVar(index))
            while not routing.IsEnd(index):
                route.append(self.stops[manager.IndexToNode(index)])
                when.append(solution.Value(time_dim.CumulVar(index)))
                index = solution.Value(routing.NextVar(index))
            end = solution.Value(time_dim.CumulVar(index))
            routes.append(tuple(route))
            starts.append(tuple(when))
            spans.append((start, end))
            names = [f"break_{k}_{j}" for j in range(len(self.problem.vehicles[k].breaks))]
            breaks.append(tuple(sorted(taken[n] for n in names if n in taken)))
        return RawResult(
            True,
            solution.ObjectiveValue(),
            tuple(routes),
            tuple(starts),
            tuple(spans),
            tuple(breaks),
        )


def _parameters(
    config: SearchConfig, seconds: float, solution_limit: int | None
) -> pywrapcp.DefaultRoutingSearchParameters:
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


def search(
    problem: Problem,
    eligible: Mapping[int, Sequence[int]],
    config: SearchConfig,
    deadline: float,
    seed: int,
    solution_limit: int | None,
    initial_routes: Mapping[int, Sequence[int]],
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

    Returns
    -------
    RawResult
        The best solution found, or ``found=False``.
    """
    nv = len(problem.vehicles)
    empty = RawResult(False, 0, ((),) * nv, ((),) * nv, ((0, 0),) * nv, ((),) * nv)
    built = time.time()
    model = _Model(problem, eligible, seed)
    seconds = deadline - time.time() - _MARGIN
    if seconds <= 0.01:
        return empty
    if config.ils:
        first = SearchConfig(config.first_solution, "GREEDY_DESCENT", overrides=config.overrides)
        params = _parameters(first, seconds, None)
    else:
        params = _parameters(config, seconds, solution_limit)
    model.routing.CloseModelWithParameters(params)
    model.pin()
    began = time.time()
    if config.ils and len(model.stops) > _BIG:
        # OR-Tools' local search is slow on big models: the first solution alone.
        params = _parameters(first, seconds, 1)
    start = model.initial(initial_routes) if initial_routes else None
    solution = None
    if start is not None:
        solution = model.routing.SolveFromAssignmentWithParameters(start, params)
    if solution is None:  # no warm start, or one that cannot be completed
        solution = model.routing.SolveWithParameters(params)
    model.first_seconds = time.time() - began
    if os.environ.get("ROUTING_DEBUG"):
        print(
            f"model {began - built:.2f} s, first solution {model.first_seconds:.2f} s, "
            f"{deadline - time.time():.2f} s left",
            file=sys.stderr,
        )
    if solution is None:
        return empty
    if config.ils:
        solution = iterate(
            problem,
            model.eligible,
            _penalties(model),
            _Engine(model),
            solution,
            deadline,
            seed=seed,
            iterations=solution_limit,
            temperature=config.temperature,
            reserve=min(0.25 * (deadline - time.time()), 1.5 * model.first_seconds),
            margin=_MARGIN,
            verify=any(v.breaks for v in problem.vehicles) and len(model.stops) <= _BIG,
        )
    return model.extract(solution)


def _routes(model: _Model, solution: pywrapcp.Assignment) -> list[list[int]]:
    """Routing indices of the visits of each vehicle."""
    routing = model.routing
    out = []
    for k in range(len(model.problem.vehicles)):
        route, index = [], solution.Value(routing.NextVar(routing.Start(k)))
        while not routing.IsEnd(index):
            route.append(index)
            index = solution.Value(routing.NextVar(index))
        out.append(route)
    return out


def _stop_routes(model: _Model, index_routes: list[list[int]]) -> list[list[int]]:
    return [[model.stops[model.manager.IndexToNode(i)] for i in r] for r in index_routes]


def _index_routes(model: _Model, stop_routes: list[list[int]]) -> list[list[int]]:
    return [[model.index(i) for i in r] for r in stop_routes]


def _polish(model: _Model, routes: list[list[int]], seconds: float) -> pywrapcp.Assignment | None:
    """OR-Tools local search (greedy descent) from ``routes`` (stop positions)."""
    start = model.routing.ReadAssignmentFromRoutes(_index_routes(model, routes), True)
    if start is None:
        return None
    params = _parameters(SearchConfig("AUTOMATIC", "GREEDY_DESCENT"), seconds, None)
    return model.routing.SolveFromAssignmentWithParameters(start, params)


def _restore(model: _Model, routes: list[list[int]], seconds: float) -> pywrapcp.Assignment | None:
    """A complete assignment (schedule and breaks) for ``routes``, or None if infeasible."""
    start = model.routing.ReadAssignmentFromRoutes(_index_routes(model, routes), True)
    if start is None:
        return None
    params = _parameters(SearchConfig("AUTOMATIC", "GREEDY_DESCENT"), seconds, 1)
    return model.routing.SolveFromAssignmentWithParameters(start, params)


def _penalties(model: _Model) -> dict[int, int]:
    """Skip penalty of each modelled, non-pinned stop."""
    p = model.problem
    penalty_m = mandatory_penalty(p)
    pinned = {sid for v in p.vehicles for sid in v.pinned}
    return {
        i: (penalty_m if p.stops[i].prize is None else p.stops[i].prize or 0)
        for i in model.stops
        if p.stops[i].id not in pinned
    }


class _Engine:
    """The OR-Tools model seen by the iterated local search (``routing._ils.Engine``)."""

    def __init__(self, model: _Model) -> None:
        self.model = model

    def routes(self, solution: pywrapcp.Assignment) -> list[list[int]]:
        return _stop_routes(self.model, _routes(self.model, solution))

    def objective(self, solution: pywrapcp.Assignment) -> int:
        return int(solution.ObjectiveValue())

    def keep(self, solution: pywrapcp.Assignment) -> pywrapcp.Assignment:
        return self.model.routing.solver().Assignment(solution)

    def polish(self, routes: list[list[int]], seconds: float) -> pywrapcp.Assignment | None:
        return _polish(self.model, routes, seconds)

    def restore(self, routes: list[list[int]], seconds: float) -> pywrapcp.Assignment | None:
        return _restore(self.model, routes, seconds)
