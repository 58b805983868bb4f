"""Peer solvers (PyVRP, VROOM) and a greedy baseline on ``routing.Problem`` instances.

Each peer returns visit orders (vehicle id -> stop ids); :func:`schedule` turns orders into
a ``routing.Solution`` with earliest-start times so that the same independent checker
(``routing.check_solution``) verifies every solver. Breaks are not modelled by PyVRP, so
:func:`with_lunch` puts the breaks back into PyVRP's routes (VROOM and ours take breaks).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta

from routing import (
    BreakTaken,
    Problem,
    Reason,
    Route,
    Solution,
    Status,
    Unassigned,
    Visit,
    check_solution,
)
from routing.reasons import earliest_start

Orders = dict[str, list[str]]
#: Marker for a break in a visit order.
BREAK = "__break__"


def schedule(problem: Problem, orders: Mapping[str, Sequence[str]]) -> Solution:
    """Earliest-start schedule of visit orders (``BREAK`` marks a break), as a Solution."""
    stops = {s.id: s for s in problem.stops}
    d = problem.durations
    routes = []
    served: set[str] = set()
    for v in problem.vehicles:
        loc, t, cost = v.start, v.shift[0], 0
        visits = []
        taken = []
        pending = sorted(v.breaks, key=lambda b: b.window)
        order = list(orders.get(v.id, ()))
        order += [BREAK] * (len(pending) - order.count(BREAK))
        gap: list[tuple[int, int]] = []  # breaks taken since the last departure
        for sid in order:
            if sid == BREAK:  # OR-Tools' rule: in the gap, while travelling or waiting
                brk = pending.pop(0)
                begin = max(gap[-1][0] + gap[-1][1] if gap else t, brk.window[0])
                gap.append((begin, brk.duration))
                taken.append(BreakTaken(begin, brk.duration))
                continue
            s = stops[sid]
            arrival = t + d[loc][s.location]
            if gap:
                arrival = max(arrival + sum(x for _, x in gap), gap[-1][0] + gap[-1][1])
                gap = []
            start = earliest_start(s.time_windows, arrival)
            start = min(start, 1 << 50)
            visits.append(Visit(sid, arrival, start, start + s.service))
            cost += problem.cost(loc, s.location)
            loc, t = s.location, start + s.service
            served.add(sid)
        end = t
        if v.end is not None:
            end = t + d[loc][v.end]
            cost += problem.cost(loc, v.end)
        if gap and visits and gap[0][0] < end:  # breaks after the last visit, before the end
            end = max(end + sum(x for _, x in gap), gap[-1][0] + gap[-1][1])
        routes.append(
            Route(
                v.id,
                tuple(visits),
                tuple(taken),
                v.shift[0],
                end if visits else v.shift[0],
                cost if visits else 0,
            )
        )
    unassigned = tuple(
        Unassigned(s.id, Reason.NOT_WORTH_IT) for s in problem.stops if s.id not in served
    )
    skipped = sum(s.prize or 0 for s in problem.stops if s.id not in served)
    prize = sum(stops[i].prize or 0 for i in served)
    status = (
        Status.MANDATORY_UNSERVED
        if any(s.mandatory and s.id not in served for s in problem.stops)
        else Status.FEASIBLE
    )
    return Solution(tuple(routes), unassigned, sum(r.cost for r in routes) + skipped, prize, status)


def without_breaks(problem: Problem, shorten: bool) -> Problem:
    """The problem without breaks; ``shorten``: each shift ends earlier by its breaks."""
    vehicles = tuple(
        replace(
            v,
            breaks=(),
            shift=(v.shift[0], v.shift[1] - (sum(b.duration for b in v.breaks) if shorten else 0)),
        )
        for v in problem.vehicles
    )
    return Problem(problem.durations, vehicles, problem.stops, costs=problem.costs)


def with_lunch(problem: Problem, orders: Orders) -> Orders:
    """Orders with each vehicle's break put back: best feasible place, least prize dropped.

    One break per vehicle (the service's lunch); vehicles without breaks are kept as is.
    While no place for the break gives a feasible route, one optional stop is dropped: one
    whose removal makes the route feasible, the least valuable such; failing that, the one
    that cuts the most lateness (late starts, late return) per yuan of prize lost.
    """
    prize = {s.id: s.prize for s in problem.stops}
    out: Orders = {}
    for v in problem.vehicles:
        order = [s for s in orders.get(v.id, []) if s != BREAK]
        if len(v.breaks) != 1:
            out[v.id] = order
            continue
        one = Problem(problem.durations, (v,), problem.stops, costs=problem.costs)
        while True:
            best = _best_break_place(one, v.id, order)
            if best is not None:
                out[v.id] = best
                break
            optional = [s for s in order if prize[s] is not None]
            if not optional:  # only mandatory stops left and still no room: report it
                out[v.id] = [*order, BREAK]
                break
            base = _least_lateness(one, order)
            scored = []
            for s in optional:
                late = _least_lateness(one, [x for x in order if x != s])
                worth = (base - late) / max(1, prize[s] or 1)
                scored.append((late > 0, -worth, prize[s], s))
            order = [x for x in order if x != min(scored)[3]]
    return out


def _least_lateness(problem: Problem, order: Sequence[str]) -> int:
    """Smallest total lateness of ``order`` over the places of the vehicle's one break."""
    v = problem.vehicles[0]
    stops = {s.id: s for s in problem.stops}
    d = problem.durations
    (opens, closes), length = v.breaks[0].window, v.breaks[0].duration
    best = None
    for pos in range(len(order) + 1):
        loc, t, late, pending = v.start, v.shift[0], 0, False
        for sid in [*order[:pos], BREAK, *order[pos:]]:
            if sid == BREAK:
                pending = True
                continue
            s = stops[sid]
            arrival = t + d[loc][s.location]
            if pending:  # OR-Tools' rule: in the gap, while travelling or waiting
                begin = max(t, opens)
                late += max(0, begin - closes)
                arrival, pending = max(arrival + length, begin + length), False
            start = earliest_start(s.time_windows, arrival)
            if start >= 1 << 50:
                late += arrival - s.time_windows[-1][1]
                start = arrival
            t, loc = start + s.service, s.location
        arrival = t + (0 if v.end is None else d[loc][v.end])
        if pending:
            begin = max(t, opens)
            late += max(0, begin - closes)
            arrival = max(arrival + length, begin + length)
        late += max(0, arrival - v.shift[1])
        best = late if best is None else min(best, late)
    return best or 0


def _best_break_place(problem: Problem, vid: str, order: Sequence[str]) -> list[str] | None:
    best: tuple[int, list[str]] | None = None
    for pos in range(len(order) + 1):
        trial = [*order[:pos], BREAK, *order[pos:]]
        sol = schedule(problem, {vid: trial})
        if check_solution(problem, sol):
            continue
        if best is None or sol.routes[0].end < best[0]:
            best = (sol.routes[0].end, trial)
    return None if best is None else best[1]


def pyvrp_orders(problem: Problem, seconds: float, seed: int = 0) -> Orders:
    """Solve with PyVRP (one thread); optional stops become clients with prizes."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    if any(v.end is None or v.breaks or v.max_stops is not None for v in problem.vehicles):
        raise ValueError("PyVRP adapter: open ends, breaks and max_stops are not supported")
    model = pyvrp.Model()
    used = sorted(
        {v.start for v in problem.vehicles}
        | {v.end for v in problem.vehicles if v.end is not None}
        | {s.location for s in problem.stops}
    )
    where = {loc: model.add_location(x=0, y=0) for loc in used}
    depots = {}
    for v in problem.vehicles:
        for loc in (v.start, v.end):
            if loc is not None and loc not in depots:
                depots[loc] = model.add_depot(where[loc])
    for s in problem.stops:
        if len(s.time_windows) > 1:
            raise ValueError("PyVRP adapter: one time window per stop")
        early, late = s.time_windows[0] if s.time_windows else (0, 1 << 40)
        model.add_client(
            where[s.location],
            delivery=[s.demand],
            service_duration=s.service,
            tw_early=early,
            tw_late=late,
            prize=s.prize or 0,
            required=s.prize is None,
        )
    total = sum(s.demand for s in problem.stops)
    groups: dict[tuple[object, ...], list[str]] = {}
    for v in problem.vehicles:  # identical vehicles share a type (faster for PyVRP)
        groups.setdefault((v.start, v.end, v.capacity, v.shift), []).append(v.id)
    for (start, end, capacity, shift), ids in groups.items():
        model.add_vehicle_type(
            num_available=len(ids),
            capacity=[total if capacity is None else capacity],
            start_depot=depots[start],
            end_depot=depots[end],
            tw_early=shift[0],
            tw_late=shift[1],
        )  # type: ignore[index]
    for a in used:
        for b in used:
            model.add_edge(
                where[a], where[b], distance=problem.cost(a, b), duration=problem.durations[a][b]
            )
    result = model.solve(stop=MaxRuntime(seconds), seed=seed, display=False)
    order: Orders = {v.id: [] for v in problem.vehicles}
    free = [list(ids) for ids in groups.values()]
    for route in result.best.routes():
        vid = free[route.vehicle_type()].pop(0)
        order[vid] = [problem.stops[a.idx].id for a in route if a.is_client()]
    return order


def vroom_orders(
    problem: Problem,
    exploration: int = 5,
    threads: int = 2,
    seconds: float | None = None,
    log_priorities: bool = False,
) -> Orders:
    """Solve with VROOM; prizes become priorities 1..99 (linear or log scale), mandatory 100."""
    import vroom

    inp = vroom.Input()
    inp.set_durations_matrix(profile="car", matrix_input=[list(r) for r in problem.durations])
    if problem.costs is not None:
        inp.set_costs_matrix(profile="car", matrix_input=[list(r) for r in problem.costs])
    top = max((s.prize or 0 for s in problem.stops), default=0) or 1
    for k, v in enumerate(problem.vehicles):
        cap = v.capacity if v.capacity is not None else sum(s.demand for s in problem.stops)
        breaks = [
            vroom.Break(j + 1, time_windows=[vroom.TimeWindow(*b.window)], service=b.duration)
            for j, b in enumerate(v.breaks)
        ]
        kwargs = {} if v.max_stops is None else {"max_tasks": v.max_stops}
        inp.add_vehicle(
            vroom.Vehicle(
                k + 1,
                start=v.start,
                end=v.end,
                capacity=[cap],
                time_window=vroom.TimeWindow(*v.shift),
                breaks=breaks,
                **kwargs,
            )
        )
    jobs = []
    for i, s in enumerate(problem.stops):
        # VROOM maximises the priority sum first. Linear scaling measured better than a log
        # scale on the prize table (log: -3 to -30 %), worse on the 2,000-candidate day.
        if s.prize is None:
            priority = 100
        elif log_priorities:
            priority = max(1, min(99, round(99 * math.log1p(s.prize) / math.log1p(top))))
        else:
            priority = max(1, min(99, round(99 * s.prize / top)))
        windows = [vroom.TimeWindow(a, b) for a, b in s.time_windows]
        jobs.append(
            vroom.Job(
                i + 1,
                location=s.location,
                default_service=s.service,
                delivery=[s.demand],
                priority=priority,
                time_windows=windows,
            )
        )
    inp.add_job(jobs)
    timeout = None if seconds is None else timedelta(seconds=seconds)
    solution = inp.solve(exploration_level=exploration, nb_threads=threads, timeout=timeout)
    solution = solution.to_dict()
    order: Orders = {v.id: [] for v in problem.vehicles}
    for route in solution.get("routes", []):
        vid = problem.vehicles[route["vehicle"] - 1].id
        order[vid] = [
            problem.stops[step["id"] - 1].id if step["type"] == "job" else BREAK
            for step in route["steps"]
            if step["type"] in ("job", "break")
        ]
    return order


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """``(result, seconds)`` of a call."""
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0
