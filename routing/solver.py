"""``solve``: pre-check, search (several configurations in parallel), classify, report."""

from __future__ import annotations

import multiprocessing
import random
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

from routing._classify import classify_dropped
from routing._construct import construct
from routing._ortools import CONFIGS, RawResult, SearchConfig, search
from routing.check import check_solution
from routing.params import SolveParams
from routing.problem import Problem, stop_index
from routing.reasons import Reason, precheck
from routing.solution import BreakTaken, Route, Solution, Status, Unassigned, Visit

__all__ = ["solve"]


def _warm_start(problem: Problem, params: SolveParams) -> dict[int, list[int]]:
    vehicles = {v.id: k for k, v in enumerate(problem.vehicles)}
    stops = stop_index(problem)
    out: dict[int, list[int]] = {}
    for vid, sids in params.initial_routes.items():
        if vid in vehicles:
            out[vehicles[vid]] = [stops[s] for s in sids if s in stops]
    return out


#: Work handed to forked workers through inherited memory (no pickling of big matrices):
#: the problem, the modelled stops and each worker's warm start.
_JOBS: dict[int, tuple[Problem, dict[int, tuple[int, ...]], list[dict[int, list[int]]]]] = {}


def _search_job(
    key: int,
    worker: int,
    config: SearchConfig,
    deadline: float,
    seed: int,
    limit: int | None,
    polish: bool,
) -> RawResult:
    problem, eligible, starts = _JOBS[key]
    return search(problem, eligible, config, deadline, seed, limit, starts[worker], polish=polish)


def _run(
    problem: Problem,
    eligible: dict[int, tuple[int, ...]],
    params: SolveParams,
    deadline: float,
    greedy: RawResult | None = None,
) -> RawResult:
    """Run ``params.workers`` searches and return the best (ties: the lowest worker), or
    the first search's empty result (``found`` false) when none found anything.

    Worker ``w`` uses configuration ``CONFIGS[w % len(CONFIGS)]`` and seed ``seed + w``.
    Without the caller's warm start, worker 0 starts from the ``greedy`` day when there
    is one (the others from OR-Tools' first solution, for diversity).
    """
    initial = _warm_start(problem, params)
    starts = [initial] * params.workers
    if not initial and greedy is not None:
        starts[0] = {k: list(r) for k, r in enumerate(greedy.routes)}
    configs = CONFIGS
    if any(v.breaks for v in problem.vehicles):
        # OR-Tools' local search with breaks takes 2-3 s of a 10 s budget on a collector's
        # 150 candidates: start from the first solution alone, our search is faster there.
        configs = tuple(
            replace(c, overrides=(*c.overrides, ("solution_limit", 1))) for c in CONFIGS
        )
    jobs = [(configs[w % len(configs)], params.seed + w) for w in range(params.workers)]
    limit = params.solution_limit
    if params.workers == 1:
        results = [
            search(
                problem,
                eligible,
                jobs[0][0],
                deadline,
                jobs[0][1],
                limit,
                starts[0],
                polish=params.polish,
            )
        ]
    else:
        key = id(starts)
        _JOBS[key] = (problem, eligible, starts)
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=params.workers, mp_context=context) as pool:
                futures = [
                    pool.submit(_search_job, key, w, config, deadline, seed, limit, params.polish)
                    for w, (config, seed) in enumerate(jobs)
                ]
                results = [f.result() for f in futures]
        finally:
            del _JOBS[key]
    found = [r for r in results if r.found]
    # Nothing found: the first search's empty result, for its timings.
    return min(found, key=lambda r: r.objective) if found else results[0]


#: Above this many modelled stops (without the caller's warm start) search 0 may start
#: from the greedy day (``routing._construct``) instead of OR-Tools' first solution
#: (:func:`_greedy_start`) ...
GREEDY_START = 300
#: ... and a lone search gets less than this many seconds per modelled stop.
GREEDY_BUDGET_PER_STOP = 0.03
#: Below this many candidates nothing is pre-selected.
PRESELECT_MIN = 400
#: Candidates kept per estimated visit the fleet can make in a day.
PRESELECT_FACTOR = 2


def preselect(
    problem: Problem, eligible: dict[int, tuple[int, ...]]
) -> tuple[dict[int, tuple[int, ...]], list[int]]:
    """Keep the candidates worth modelling on a big day, by value density.

    The fleet can make about ``sum(shift / (service + travel to a near neighbour))`` visits;
    when there are more than ``max(PRESELECT_MIN, PRESELECT_FACTOR x that)`` optional
    candidates, only the densest (prize per second of service and approach) are modelled.
    Mandatory and pinned stops are always kept.

    Returns
    -------
    kept
        The eligible map restricted to the kept stops.
    dropped
        Stop positions left out (classified after the search like dropped stops).
    """
    stops, d = problem.stops, problem.durations
    pinned = {sid for v in problem.vehicles for sid in v.pinned}
    optional = [i for i in eligible if stops[i].prize is not None and stops[i].id not in pinned]
    if len(optional) <= PRESELECT_MIN:
        return eligible, []
    rng = random.Random(0)
    pool = sorted(eligible)
    sample = rng.sample(pool, min(100, len(pool)))

    def approach(i: int) -> int:
        loc = stops[i].location
        return min((d[loc][stops[j].location] for j in sample if j != i), default=0)

    near = {i: approach(i) for i in optional}
    per_visit = sorted(stops[i].service + near[i] for i in optional)[len(optional) // 2]
    visits = 0
    for v in problem.vehicles:
        free = v.shift[1] - v.shift[0] - sum(b.duration for b in v.breaks)
        count = free // max(per_visit, 1)
        visits += count if v.max_stops is None else min(count, v.max_stops)
    keep = max(PRESELECT_MIN, PRESELECT_FACTOR * visits)
    if len(optional) <= keep:
        return eligible, []
    density = sorted(
        optional,
        key=lambda i: (-(stops[i].prize or 0) / max(1, stops[i].service + near[i]), i),
    )
    out = set(density[keep:])
    return {i: e for i, e in eligible.items() if i not in out}, sorted(out)


def _visits(problem: Problem, k: int, raw: RawResult) -> tuple[list[Visit], int]:
    """Visits of vehicle ``k`` with arrival times, and the route's arc cost."""
    v = problem.vehicles[k]
    d = problem.durations
    loc, depart = v.start, raw.spans[k][0]
    breaks = raw.breaks[k]
    visits: list[Visit] = []
    cost = 0
    for i, start in zip(raw.routes[k], raw.starts[k], strict=True):
        s = problem.stops[i]
        t = depart + d[loc][s.location]
        for b_start, b_len in breaks:
            if depart <= b_start < start and b_start < t:
                t += b_len
        visits.append(Visit(s.id, min(t, start), start, start + s.service))
        cost += problem.cost(loc, s.location)
        loc, depart = s.location, start + s.service
    if v.end is not None:
        cost += problem.cost(loc, v.end)
    return visits, cost


def solve(problem: Problem, params: SolveParams | None = None) -> Solution:
    """Plan the routes.

    Parameters
    ----------
    problem
        A validated problem.
    params
        Budget, seed, parallelism, warm start; defaults to ``SolveParams()``.

    Returns
    -------
    Solution
        Routes, and every stop left out with its reason. Never raises for an infeasible
        problem: unserved mandatory stops are reported with ``status='mandatory_unserved'``.
    """
    params = params or SolveParams()
    began = time.time()
    deadline = began + params.time_limit
    candidates, rejected = precheck(problem)
    eligible, _ = preselect(problem, candidates)  # the others are classified like dropped
    seconds = {"check": time.time() - began}
    greedy = None
    if _greedy_start(problem, eligible, params, params.time_limit):
        t = time.time()
        greedy = construct(problem, eligible, params.seed)
        seconds["greedy"] = time.time() - t
    # Keep time for the classification of dropped stops after the search (~0.5 ms each).
    search_deadline = deadline - 0.0005 * len(candidates)
    raw = _run(problem, eligible, params, search_deadline, greedy) if eligible else None
    if raw is not None:
        seconds.update(raw.seconds)
        raw = raw if raw.found else None
    if eligible and _starved(problem, raw):
        # The search had no time to improve on its first solution, or found none: the
        # greedy day instead when it is better and checks out.
        if greedy is None:
            t = time.time()
            greedy = construct(problem, eligible, params.seed)
            seconds["greedy"] = time.time() - t
        built = greedy
        if built is not None and (_nothing_routed(problem, raw) or _better(built, raw)):
            solution = _assemble(problem, built, candidates, rejected, bool(eligible), seconds)
            if not check_solution(problem, solution):
                return solution
    return _assemble(problem, raw, candidates, rejected, bool(eligible), seconds)


def _greedy_start(
    problem: Problem, eligible: Mapping[int, object], params: SolveParams, budget: float
) -> bool:
    """Whether search 0 starts from the greedy day rather than OR-Tools' first solution.

    On a big day OR-Tools' first solution takes seconds and does not stop at its time
    limit (4-8 s of a 5-10 s limit for 540 modelled stops, most of the limit on a loaded
    machine), while the greedy day takes 0.2-0.3 s of CPU. Given time, OR-Tools' start
    was the better one on the scale county's station days (0.8 % more expected yuan at
    20 s with one search process), so the greedy day starts a lone search only on a short
    budget per modelled stop; beside other searches it always starts search 0 (search 1
    keeps OR-Tools' start). ``budget`` is the solve's time limit, not the time left, so
    that the same parameters always choose the same start (deterministic budgets).
    """
    if len(eligible) <= GREEDY_START or params.initial_routes:
        return False
    return params.workers > 1 or budget < GREEDY_BUDGET_PER_STOP * len(eligible)


def _starved(problem: Problem, raw: RawResult | None) -> bool:
    """Nothing routed, or a first solution the iterated local search never improved."""
    return _nothing_routed(problem, raw) or (
        raw is not None and not any(phase == "improve" for phase, _ in raw.seconds)
    )


def _better(built: RawResult, raw: RawResult | None) -> bool:
    """Whether the greedy day beats the search's (same objective: arcs plus skip penalties)."""
    return raw is None or built.objective < raw.objective


def _nothing_routed(problem: Problem, raw: RawResult | None) -> bool:
    """No solution, or one that visits nothing beyond the pinned stops."""
    pinned = sum(len(v.pinned) for v in problem.vehicles)
    return raw is None or sum(map(len, raw.routes)) <= pinned


def _assemble(
    problem: Problem,
    raw: RawResult | None,
    candidates: dict[int, tuple[int, ...]],
    rejected: Mapping[int, Reason],
    modelled: bool,
    seconds: Mapping[str, float] | None = None,
) -> Solution:
    """The solution of ``raw`` (None: nothing found), every stop left out classified;
    ``seconds``: the phases so far (``classify`` is added)."""
    began = time.time()
    nv = len(problem.vehicles)
    routes_by_vehicle: list[tuple[int, ...]] = list(raw.routes) if raw else [()] * nv
    routed = {i for r in routes_by_vehicle for i in r}
    dropped = [i for i in candidates if i not in routed]
    reasons: dict[int, Reason] = dict(rejected)
    breaks = raw.breaks if raw else ((),) * nv
    reasons.update(classify_dropped(problem, routes_by_vehicle, dropped, candidates, breaks))
    routes = []
    for k, v in enumerate(problem.vehicles):
        if raw is None:
            routes.append(Route(v.id, (), (), v.shift[0], v.shift[0], 0))
            continue
        visits, cost = _visits(problem, k, raw)
        taken = tuple(BreakTaken(a, b) for a, b in raw.breaks[k])
        routes.append(Route(v.id, tuple(visits), taken, raw.spans[k][0], raw.spans[k][1], cost))
    unassigned = tuple(Unassigned(problem.stops[i].id, reasons[i]) for i in sorted(reasons))
    solution = _report(problem, tuple(routes), unassigned, raw is not None or not modelled)
    timed = {**(seconds or {}), "classify": time.time() - began}
    return replace(solution, seconds={k: round(v, 3) for k, v in timed.items()})


def _report(
    problem: Problem, routes: Sequence[Route], unassigned: Sequence[Unassigned], found: bool
) -> Solution:
    by_id: Mapping[str, int] = stop_index(problem)
    skipped = [problem.stops[by_id[u.id]] for u in unassigned]
    served = [problem.stops[by_id[v.id]] for r in routes for v in r.stops]
    cost = sum(r.cost for r in routes) + sum(s.prize or 0 for s in skipped)
    prize = sum(s.prize or 0 for s in served)
    if not found:
        status = Status.NO_SOLUTION
    elif any(s.mandatory for s in skipped):
        status = Status.MANDATORY_UNSERVED
    else:
        status = Status.FEASIBLE
    return Solution(tuple(routes), tuple(unassigned), cost, prize, status)
