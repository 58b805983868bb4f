"""One travel mode's ``routing.Problem``: vehicles, candidate stops, travel matrix, solve.

The matrix counts against the time budget; each stop's prize is its expected recovery
(fen) times its priority; arcs cost fuel.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

import routing
from core.planning.draft import PlanRequest
from core.planning.valuation import Candidate
from core.planning.vehicles import Vehicle
from core.planning.visit_value import BANDS
from geo.modes import TravelMode
from geo.travel import MatrixProvider

#: Arc cost in fen per road kilometre (fuel and wear), per travel mode. The collector's
#: time is not priced: the shift is a fixed budget, so the solver maximises the expected
#: recovery and uses distance only to break ties and drop visits not worth the fuel.
FEN_PER_KM = {TravelMode.MOTORBIKE: 30, TravelMode.CAR: 80, TravelMode.WALK: 0}
#: The least search time a travel-mode group gets, whatever its share of the budget.
MIN_SEARCH_S = 0.5


def _window(c: Candidate, service_s: int) -> tuple[tuple[int, int], ...]:
    if c.value.window is not None:  # the time the customer gave on the phone
        a, b = c.value.window
        return ((a, max(a, b - service_s)),)
    band = c.value.band
    if band is None:
        return ()
    a, b = BANDS[band]
    return ((a * 3600, max(a * 3600, b * 3600 - service_s)),)


@dataclass(frozen=True)
class GroupModel:
    """One travel mode's routing problem and what is needed to read its solution back.

    Locations are the vehicles' starts, their ends where different, then the stops.
    """

    problem: routing.Problem
    points: list[tuple[float, float]]
    #: Each stop's location index.
    loc_of: dict[str, int]
    #: Each vehicle's end location index.
    ends: list[int]
    #: Travel seconds between locations.
    seconds: np.ndarray


def group_problem(
    vehicles: Sequence[Vehicle],
    stops: Sequence[Candidate],
    req: PlanRequest,
    provider: MatrixProvider,
) -> GroupModel:
    """The ``routing.Problem`` of vehicles of one travel mode and their candidate stops."""
    points: list[tuple[float, float]] = [v.start for v in vehicles]
    ends: list[int] = []
    for k, v in enumerate(vehicles):
        if v.end == v.start:
            ends.append(k)
        else:
            ends.append(len(points))
            points.append(v.end)
    loc_of: dict[str, int] = {}
    for s in stops:
        loc_of[s.stop_id] = len(points)
        points.append(s.info.lonlat)
    mode = vehicles[0].mode
    matrix = provider.matrix(points, mode)
    costs = np.rint(matrix.metres.astype(np.float64) * FEN_PER_KM[mode] / 1000).astype(np.int64)
    vids = {v.collector.id: v.vid for v in vehicles}
    problem = routing.Problem(
        # Lists of rows: the problem's validation makes each row a tuple as it checks it.
        durations=matrix.seconds.tolist(),
        costs=costs.tolist(),
        vehicles=tuple(
            routing.Vehicle(
                id=v.vid,
                start=k,
                end=ends[k],
                shift=v.shift,
                breaks=v.breaks,
                max_stops=v.max_stops,
                pinned=tuple(f"a{a}" for a in req.pinned.get(v.collector.id, ())),
            )
            for k, v in enumerate(vehicles)
        ),
        stops=tuple(
            routing.Stop(
                id=s.stop_id,
                location=loc_of[s.stop_id],
                service=s.service(req.service_s),
                time_windows=_window(s, s.service(req.service_s)),
                prize=None if s.mandatory else s.prize,
                vehicles=frozenset(vids[c] for c in s.allowed if c in vids),
            )
            for s in stops
        ),
    )
    return GroupModel(problem, points, loc_of, ends, matrix.seconds)


def solve_group(
    vehicles: Sequence[Vehicle],
    stops: Sequence[Candidate],
    req: PlanRequest,
    provider: MatrixProvider,
    time_limit: float,
) -> tuple[routing.Solution, list[tuple[float, float]], dict[str, int], list[int]]:
    """Solve one travel mode in about ``time_limit`` seconds, travel matrix included.

    The matrix counts against the budget because on a road network it is a real share of
    a short one (0.5 s for a re-plan's 150 stops on Andorra); the search keeps at least
    :data:`MIN_SEARCH_S`.

    Returns the solution, the points, each stop's location and the travel seconds of
    each vehicle's route.
    """
    t0 = time.monotonic()
    model = group_problem(vehicles, stops, req, provider)
    built = time.monotonic() - t0
    left = max(MIN_SEARCH_S, time_limit - built)
    params = routing.SolveParams(
        time_limit=left,
        seed=req.seed,
        workers=req.workers,
        solution_limit=req.iterations,
        polish=req.iterations is None,
    )
    sol = routing.solve(model.problem, params)
    sol = replace(sol, seconds={"matrix": round(built, 3), **sol.seconds})
    travel = []
    for k, r in enumerate(sol.routes):
        locs = [k, *(model.loc_of[x.id] for x in r.stops), model.ends[k]]
        travel.append(sum(int(model.seconds[a, b]) for a, b in zip(locs, locs[1:], strict=False)))
    return sol, model.points, model.loc_of, travel
