"""Planning a station's day: gather and value the candidates, solve each travel mode,
and return the routes as a ``PlanDraft`` (stored by :mod:`core.planning.versions`).

``compute_plan`` reads arrears, history, promises and collectors
(:mod:`core.planning.candidates`), values each visit (:mod:`core.planning.valuation`),
builds one ``routing.Problem`` per travel mode (:mod:`core.planning.problem`) and solves
it. Takes a ``Session``; never commits.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

import routing
from core.models import Absence
from core.planning import candidates as cand
from core.planning.calendar import load_calendar
from core.planning.call_times import propose_times
from core.planning.calls import CallRates, call_rates
from core.planning.draft import (
    MIN_SEARCH_SHARE,
    NOT_PRESELECTED,
    REASON_HELP,
    PlanDraft,
    PlannedRoute,
    PlannedStop,
    PlanRequest,
)
from core.planning.helpers import lend_helpers
from core.planning.month import Rolled, call_list, roll, visits_per_day
from core.planning.pace import travel_of, travel_per_visit
from core.planning.priority import (
    BROKEN_PROMISE_FACTOR,
    LIMITATION_FACTOR,
    LIMITATION_WARNING_DAYS,
    LIMITATION_YEARS,
    STAGE_FACTOR,
)
from core.planning.priors import Priors
from core.planning.problem import group_problem, solve_group
from core.planning.valuation import Candidate, left_entry, preselect, value_candidates
from core.planning.vehicles import Vehicle, local_instant, vehicle_for
from core.planning.visit_value import BANDS, month_days_left
from core.planning.windows import ration_windows
from core.users.profiles import absent_on
from geo.travel import GreatCircleProvider, MatrixProvider


@dataclass(frozen=True)
class Gathered:
    tz: ZoneInfo
    collectors: list[cand.Collector]
    vehicles: list[Vehicle]
    chosen: list[Candidate]
    left: list[dict[str, object]]
    priors: Priors
    n_arrears: int
    #: The rolling horizon behind the day (None for a re-plan of a day already running).
    rolled: Rolled | None = None
    #: Whom each collector should call about the day first.
    calls: dict[int, list[dict[str, object]]] = field(default_factory=dict)
    call_rates: CallRates = field(default_factory=CallRates)
    #: Collectors of the station absent that day (not planned), with their absence.
    absent: dict[int, Absence] = field(default_factory=dict)
    #: Each planned collector's travel per visit, seconds (``core.planning.pace``).
    pace: dict[int, int] = field(default_factory=dict)
    #: Where the accounts on the call lists are, to propose the time the route passes.
    call_spots: dict[int, tuple[float, float]] = field(default_factory=dict)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused (and restored as it was): a gather allocates
    hundreds of thousands of short-lived objects (rows, histories, rates, candidates, the
    horizon's entries), and each allocation burst started collections that walked all
    of them again, ~0.7 s of the 2.4 s of CPU on the 1M county's SC-00. Objects without
    cycles are still freed at once; any cycles wait for the next collection after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def gather(session: Session, req: PlanRequest, provider: MatrixProvider | None = None) -> Gathered:
    """The station's candidates for ``req``, valued, rolled over the month and preselected,
    with the collectors, vehicles, call lists and pace behind them."""
    with _no_cycle_collection():
        return _gather(session, req, provider)


def _gather(session: Session, req: PlanRequest, provider: MatrixProvider | None) -> Gathered:
    # A plan worker's connection serves job after job and psycopg prepares a statement on
    # its fifth run; PostgreSQL may then reuse one generic plan for every id list, blind to
    # their sizes (the self-payment query went from 0.3 s to 20-80 s a gather). Planning
    # each statement costs milliseconds here: plan each for its own parameters.
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    station, depot, tz = cand.station_info(session, req.station_id)
    collectors = cand.station_collectors(
        session, req.station_id, list(req.collector_ids) if req.collector_ids else None
    )
    absent = {
        c: a
        for c, a in absent_on(session, req.station_id, req.plan_date).items()
        if c not in req.include_absent
    }
    collectors = [c for c in collectors if c.id not in absent]
    vehicles = [vehicle_for(c, depot, req) for c in collectors]
    calendar = load_calendar(session, req.station_id)
    cands, left, priors, n_arrears = value_candidates(
        session, req, station.timezone, {c.id for c in collectors}, calendar, frozenset(absent)
    )
    pinned = frozenset(a for seq in req.pinned.values() for a in seq)
    # The day's own pace (travel per visit) before anything divides the day by it.
    pace = travel_per_visit(cands, vehicles, req.service_s, provider or GreatCircleProvider())
    cands = lend_helpers(cands, vehicles, req.service_s, pinned, pace)
    rolled = None
    capacity = {
        v.collector.id: visits_per_day(v, req.service_s, travel_of(pace, v.collector.id))
        for v in vehicles
    }
    if req.rolling:
        cands, rolled = roll(session, cands, vehicles, req, calendar, capacity)
    cands = ration_windows(cands, vehicles, req.service_s, pace)
    heard = call_rates(session, req.station_id, req.plan_date, station.timezone)
    calls = call_list(cands, capacity, heard)
    called = {int(str(r["account_id"])) for rows in calls.values() for r in rows}
    spots = {c.info.id: c.info.lonlat for c in cands if c.info.id in called}
    chosen, dropped = preselect(cands, vehicles, req)
    left += [
        left_entry(c.info.id, NOT_PRESELECTED, c.value.prize_fen, c.mandatory) for c in dropped
    ]
    return Gathered(
        tz,
        collectors,
        vehicles,
        chosen,
        left,
        priors,
        n_arrears,
        rolled,
        calls,
        heard,
        absent,
        pace=pace,
        call_spots=spots,
    )


def collector_problem(
    session: Session, req: PlanRequest, collector_id: int, provider: MatrixProvider | None = None
) -> routing.Problem:
    """The problem ``compute_plan`` solves when ``req`` plans this one collector alone.

    For benchmarks that compare solvers on the service's own collector-days.

    Raises
    ------
    LookupError
        If the station does not exist or the collector is not one of its collectors.
    """
    req = replace(req, collector_ids=(collector_id,))
    g = gather(session, req, provider)
    if not g.vehicles:
        raise LookupError(f"collector {collector_id} not in station {req.station_id}")
    ids = {collector_id}
    stops = [c for c in g.chosen if c.allowed & ids]
    return group_problem(g.vehicles, stops, req, provider or GreatCircleProvider()).problem


def compute_plan(
    session: Session, req: PlanRequest, provider: MatrixProvider | None = None
) -> PlanDraft:
    """Choose and order each collector's visits for ``req.plan_date``.

    Raises
    ------
    LookupError
        If the station does not exist.
    """
    t0 = time.monotonic()
    provider = provider or GreatCircleProvider()
    g = gather(session, req, provider)
    tz, collectors, vehicles, chosen = g.tz, g.collectors, g.vehicles, g.chosen
    left, priors, n_arrears = g.left, g.priors, g.n_arrears
    t_gather = time.monotonic() - t0

    search_limit = req.time_limit
    if req.limit_includes_gather:
        budget = req.time_limit - t_gather - req.finish_reserve
        search_limit = max(budget, req.time_limit * MIN_SEARCH_SHARE)

    by_id = {c.stop_id: c for c in chosen}
    reasons: dict[str, str] = {}
    served: set[str] = set()
    routes: list[PlannedRoute] = []
    solver_stats: list[dict[str, object]] = []
    phases: dict[str, float] = {}
    modes = sorted({v.mode for v in vehicles})
    # Each travel mode's share of what is left, so that one running late does not make
    # the plan late.
    search_end, waiting = time.monotonic() + search_limit, len(vehicles)
    for mode in modes:
        group = [v for v in vehicles if v.mode is mode]
        ids = {v.collector.id for v in group}
        stops = [c for c in chosen if c.stop_id not in served and c.allowed & ids]
        share = (search_end - time.monotonic()) * len(group) / max(1, waiting)
        waiting -= len(group)
        t1 = time.monotonic()
        sol, points, loc_of, travel = solve_group(group, stops, req, provider, share)
        solver_stats.append(
            {
                "mode": mode.value,
                "vehicles": len(group),
                "stops": len(stops),
                "status": sol.status,
                "prize_collected_fen": sol.prize_collected,
                "objective": sol.cost,
                "seconds": round(time.monotonic() - t1, 2),
                "phases": dict(sol.seconds),
            }
        )
        for phase, secs in sol.seconds.items():
            phases[phase] = phases.get(phase, 0.0) + secs
        for u in sol.unassigned:
            reasons[u.id] = u.reason.value
        for v, r, secs in zip(group, sol.routes, travel, strict=True):
            served.update(x.id for x in r.stops)
            routes.append(_route(v, r, by_id, secs, req, tz))
    searched = time.monotonic()
    for sid in served:
        reasons.pop(sid, None)
    left += [
        left_entry(by_id[sid].info.id, why, by_id[sid].value.prize_fen, by_id[sid].mandatory)
        for sid, why in reasons.items()
    ]
    left.sort(key=lambda x: (not x["mandatory"], -int(x["prize_fen"]), x["account_id"]))  # type: ignore[call-overload]
    summary: dict[str, object] = {
        "accounts_with_arrears": n_arrears,
        "modelled": len(chosen),
        "planned_stops": len(served),
        "expected_value": f"{sum((r.expected_value for r in routes), Decimal('0')):.2f}",
        "unassigned_counts": dict(Counter(str(x["reason"]) for x in left)),
        "reasons": {k: REASON_HELP.get(k, k) for k in sorted({str(x["reason"]) for x in left})},
        "unassigned": left,
        "solver": solver_stats,
        "travel": provider.key,
        "value_model": {
            "formula": "overdue_when_planned x p_pay x p_home x (1 - p_self), p_self = P(pays "
            "by itself before the month ends, within horizon_days); p_pay and p_home with "
            "two-type priors (payers/refusers, residents/away houses) per village/category; "
            "p_home of the plan day (return periods, market days, weekday)",
            "horizon_days": month_days_left(req.plan_date),
            "station_rates": priors.station.as_dict(),
            # Unrounded, so that a re-plan of this day values against the same priors.
            "priors": priors.to_json(),
            "bands": [f"{a:02d}-{b:02d}" for a, b in BANDS],
            "priority": {
                "rule": "the planner maximises prize_fen x priority factor; stop and route "
                "expected values stay the expected recovery",
                "stage_factors": {k.value: v for k, v in STAGE_FACTOR.items()},
                "limitation": f"x{LIMITATION_FACTOR:g} when the claim on the oldest unpaid bill "
                f"lapses within {LIMITATION_WARNING_DAYS} days ({LIMITATION_YEARS} years "
                "after the later of its due date and the last contact)",
                "broken_promise": f"x{BROKEN_PROMISE_FACTOR:g} when a promise to pay passed "
                "unpaid with no visit since",
            },
        },
        "horizon": None
        if g.rolled is None
        else {
            "rule": "the month's remaining accounts spread over the collectors' remaining "
            "working days by the money each visit adds; today's prizes x today_factor",
            "working_days_left": [d.isoformat() for d in g.rolled.days],
            "visits_per_day": {str(c): n for c, n in g.rolled.capacity.items()},
            "travel_per_visit_s": {str(c): n for c, n in g.pace.items()},
            "week": g.rolled.week(),
        },
        "calls": {
            "rule": "whom to call about the day first, by the expected gain from knowing",
            "rates": g.call_rates.as_dict(),
            "ask": "propose the band in which the route passes nearest (ask_from/ask_until)",
            "by_collector": {
                str(c): rows for c, rows in propose_times(g.calls, routes, g.call_spots, tz).items()
            },
        },
        "collectors": [c.id for c in collectors],
        "absent": [
            {
                "collector_id": c,
                "kind": a.kind.value,
                "first_day": a.first_day.isoformat(),
                "last_day": a.last_day.isoformat(),
            }
            for c, a in sorted(g.absent.items())
        ],
        "absence_overrides": sorted(req.include_absent),
        # The optimiser keeps every shift, window and break of its model: its own verdict.
        # A hand edit stores the plan check's (core.planning.edits.check_summary).
        "check": {"by": "planner", "feasible": True, "violations": 0, "findings": []},
        "time_limit": req.time_limit,
        "search_limit": round(search_limit, 2),
        "iterations": req.iterations,
        "seconds": {
            "gather": round(t_gather, 2),
            **{phase: round(secs, 2) for phase, secs in phases.items()},
            # The routes and this summary, after the search.
            "routes": round(time.monotonic() - searched, 2),
            "total": round(time.monotonic() - t0, 2),
        },
    }
    return PlanDraft(req.station_id, req.plan_date, tuple(routes), summary)


def _route(
    v: Vehicle,
    r: routing.Route,
    by_id: dict[str, Candidate],
    travel_seconds: int,
    req: PlanRequest,
    tz: ZoneInfo,
) -> PlannedRoute:
    pinned = {f"a{a}" for a in req.pinned.get(v.collector.id, ())}
    stops = []
    for seq, visit in enumerate(r.stops, start=1):
        c = by_id[visit.id]
        stops.append(
            PlannedStop(
                account_id=c.info.id,
                seq=seq,
                eta=local_instant(req.plan_date, visit.start, tz),
                departure=local_instant(req.plan_date, visit.departure, tz),
                expected_value=c.value.expected_value,
                mandatory=c.mandatory,
                locked=visit.id in pinned,
                explain=c.explain(req.service_s, req.plan_date),
                lonlat=c.info.lonlat,
            )
        )
    visited = (by_id[visit.id].info.lonlat for visit in r.stops)
    path = (v.start, *visited, v.end) if stops else ()
    return PlannedRoute(
        collector_id=v.collector.id,
        stops=tuple(stops),
        travel_seconds=travel_seconds,
        expected_value=sum((s.expected_value for s in stops), Decimal("0.00")),
        path=path,
    )
