"""The OR-Tools routing model of a problem: dimensions, windows, breaks, disjunctions.

Nodes: the modelled stops first (in an order shuffled by the seed), then one start node and
one end node per vehicle. An open end is a dummy node reached at zero time and cost.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from ortools.constraint_solver import pywrapcp

from routing.problem import Problem, stop_index

__all__ = ["Model", "mandatory_penalty", "penalties"]


def mandatory_penalty(problem: Problem) -> int:
    """Skip penalty of a mandatory stop: dominant, yet of the order of a few detours.

    Twenty times the largest arc cost plus five times the largest prize: serving a
    mandatory stop beats any detour and displacing up to five optional stops, while the
    penalty stays close to route lengths so that guided local search keeps working.
    """
    biggest = problem.max_arc_cost
    prize = max((s.prize or 0 for s in problem.stops), default=0)
    return 20 * max(biggest, 1) + 5 * prize


def _shuffled(stops: Sequence[int], seed: int) -> list[int]:
    order = sorted(stops)
    if seed:
        random.Random(seed).shuffle(order)
    return order


class Model:
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


def penalties(model: Model) -> dict[int, int]:
    """Skip penalty of each modelled, non-pinned stop."""
    p = model.problem
    penalty_m = mandatory_penalty(p)
    pinned = {sid for v in p.vehicles for sid in v.pinned}
    return {
        i: (penalty_m if p.stops[i].prize is None else p.stops[i].prize or 0)
        for i in model.stops
        if p.stops[i].id not in pinned
    }
