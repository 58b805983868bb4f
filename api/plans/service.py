"""The plan service: where geo output becomes routing input, and the solution a stored plan.

``compute_plan`` reads arrears, history, promises and collectors, values each visit,
builds one ``routing.Problem`` per travel mode, solves it and returns a ``PlanDraft``;
``store_plan`` writes the draft as the next version of the station's day. Both take a
``Session`` and never import Flask.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.orm import Session

import routing
from api.plans import candidates as cand
from api.plans.model import (
    COLLECTOR_NOT_IN_PLAN,
    NO_TERRITORY,
    NOT_PRESELECTED,
    PAYMENT_PENDING,
    REASON_HELP,
    TERRITORY_WITHOUT_COLLECTOR,
    VISITED_TODAY,
    PlanDraft,
    PlannedRoute,
    PlannedStop,
    PlanRequest,
)
from geo.models import TravelMode
from geo.money import rate_schedule
from geo.priority import (
    LIMITATION_FACTOR,
    LIMITATION_WARNING_DAYS,
    LIMITATION_YEARS,
    STAGE_FACTOR,
    Priority,
    priority,
)
from geo.travel import DEFAULT_PROFILES, GreatCircleProvider, MatrixProvider, haversine_m
from geo.travel.profiles import profile_for
from geo.value_priors import Priors
from geo.visit_value import (
    ACCOUNT_PRIOR_WEIGHT,
    BANDS,
    History,
    Rates,
    VisitValue,
    estimate,
    group_priors,
    month_days_left,
    visit_value,
)

DEFAULT_SHIFT = (dt.time(8, 0), dt.time(17, 30))
#: Arc cost in fen per road kilometre (fuel and wear), per travel mode. The collector's
#: time is not priced: the shift is a fixed budget, so the solver maximises the expected
#: recovery and uses distance only to break ties and drop visits not worth the fuel.
FEN_PER_KM = {TravelMode.MOTORBIKE: 30, TravelMode.CAR: 80, TravelMode.WALK: 0}
#: The least search time a travel-mode group gets, whatever its share of the budget.
MIN_SEARCH_S = 0.5
#: How late after its planned start a lunch break may begin, seconds.
BREAK_SLACK_S = 3600


def local_seconds(t: dt.time) -> int:
    """Seconds since the local midnight."""
    return t.hour * 3600 + t.minute * 60 + t.second


def local_instant(day: dt.date, seconds: int, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant of ``seconds`` after the local midnight of ``day``."""
    wall = dt.datetime.combine(day, dt.time(0), tzinfo=tz) + dt.timedelta(seconds=seconds)
    return wall.astimezone(dt.UTC)


@dataclass(frozen=True)
class _Candidate:
    info: cand.AccountInfo
    due: cand.Due
    rates: Rates
    value: VisitValue
    mandatory: bool
    allowed: frozenset[int]
    priority: Priority

    @property
    def stop_id(self) -> str:
        return f"a{self.info.id}"

    @property
    def prize(self) -> int:
        """What the planner maximises: the expected recovery (fen) times the priority."""
        return round(self.value.prize_fen * self.priority.factor)

    def explain(self, service_s: int) -> dict[str, object]:
        band = self.value.band
        return {
            "formula": "amount_due x p_pay x p_home x (1 - p_self)",
            "amount_due": f"{self.due.total:.2f}",
            "principal": f"{self.due.principal:.2f}",
            "late_fee": f"{self.due.late_fee:.2f}",
            "overdue_bills": self.due.bills,
            "oldest_due": self.due.oldest_due.isoformat(),
            "p_pay": round(self.value.p_pay, 3),
            "p_home": round(self.value.p_home, 3),
            "p_self": round(self.value.p_self, 3),
            "horizon_days": self.value.horizon_days,
            "band": None if band is None else f"{BANDS[band][0]:02d}-{BANDS[band][1]:02d}",
            "prize_fen": self.value.prize_fen,
            "promise_due": self.mandatory,
            "priority": self.priority.as_dict(),
            "service_s": service_s,
            **self.rates.as_dict(),
        }


@dataclass(frozen=True)
class _Vehicle:
    collector: cand.Collector
    mode: TravelMode
    start: tuple[float, float]
    end: tuple[float, float]
    shift: tuple[int, int]
    breaks: tuple[routing.Break, ...]

    @property
    def vid(self) -> str:
        return f"c{self.collector.id}"


def vehicle_for(c: cand.Collector, depot: tuple[float, float], req: PlanRequest) -> _Vehicle:
    prof = c.profile
    mode = prof.travel_mode if prof else TravelMode.MOTORBIKE
    start_t, end_t = (prof.shift_start, prof.shift_end) if prof else DEFAULT_SHIFT
    shift = (local_seconds(start_t), local_seconds(end_t))
    if c.id in req.start_time:
        shift = (max(shift[0], min(req.start_time[c.id], shift[1])), shift[1])
    end = depot
    if prof is not None and prof.starts_at_home and c.home is not None:
        end = c.home
    start = req.start_at.get(c.id, end)
    breaks: tuple[routing.Break, ...] = ()
    if prof is not None and prof.break_start is not None and prof.break_minutes > 0:
        b0 = local_seconds(prof.break_start)
        b1 = min(b0 + BREAK_SLACK_S, shift[1] - prof.break_minutes * 60)
        if shift[0] <= b0 <= b1:
            breaks = (routing.Break((b0, b1), prof.break_minutes * 60),)
    return _Vehicle(c, mode, start, end, shift, breaks)


def value_candidates(
    session: Session, req: PlanRequest, tz: str, planned: set[int]
) -> tuple[list[_Candidate], list[dict[str, object]], Priors, int]:
    """Every account with arrears: valued candidates, and the ones no collector may visit.

    With ``req.priors`` (a re-plan), only the accounts the planned collectors may visit
    (their territories' and the pinned ones) are read and valued against those priors;
    otherwise every account of the station is, and the priors are made from them all.
    """
    fees = rate_schedule(session, req.station_id)  # each day of lateness at its own rates
    scope: list[int] | None = None
    if req.priors is not None:
        scope = sorted(
            set(cand.accounts_of_collectors(session, req.station_id, planned))
            | {a for seq in req.pinned.values() for a in seq}
        )
    dues = cand.amounts_due(
        session,
        req.plan_date,
        station_id=req.station_id if scope is None else None,
        account_ids=scope,
        rates=fees,
    )
    ids = sorted(dues)
    infos = cand.accounts_with_collectors(session, ids)
    histories = cand.visit_histories(session, ids, req.plan_date, tz)
    for account_id, (due, paid) in cand.bill_records(session, ids, req.plan_date).items():
        record = histories.setdefault(account_id, History())
        record.bills_due, record.bills_paid = due, paid
    for account_id, (k, days) in cand.self_payment_records(session, ids, req.plan_date).items():
        record = histories.setdefault(account_id, History())
        record.self_paid, record.overdue_days = k, days
    promises = cand.promises_due(session, ids, req.plan_date, tz)
    contacts = cand.last_contacts(session, ids, req.plan_date)
    pending = cand.payments_pending(session, ids)
    # A pinned account belongs to the collector who pinned it, and to nobody else,
    # so a group of another travel mode cannot take it first.
    pin_owner = {a: c for c, seq in req.pinned.items() for a in seq}
    pinned = set(pin_owner)
    priors = req.priors
    if priors is None:
        priors = Priors(
            *group_priors(histories, {i.id: (i.village, i.category.value) for i in infos})
        )
    horizon = month_days_left(req.plan_date)  # the station is judged at month end
    out: list[_Candidate] = []
    left: list[dict[str, object]] = []
    for info in infos:
        rates = estimate(
            histories.get(info.id, History()),
            priors.for_group(info.village, info.category.value),
            ACCOUNT_PRIOR_WEIGHT,
        )
        mandatory = info.id in promises
        value = visit_value(
            dues[info.id].total, rates, horizon_days=horizon, forced_band=promises.get(info.id)
        )
        allowed = (
            frozenset({pin_owner[info.id]}) if info.id in pin_owner else _eligible(info, planned)
        )
        reason = None
        if info.id in req.exclude_accounts:
            reason = VISITED_TODAY
        elif info.id in pending:
            reason = PAYMENT_PENDING
        elif info.territory_id is None:
            reason = NO_TERRITORY
        elif not info.collectors:
            reason = TERRITORY_WITHOUT_COLLECTOR
        elif not allowed:
            reason = COLLECTOR_NOT_IN_PLAN
        if reason is not None and info.id not in pinned:
            left.append(_left(info.id, reason, value.prize_fen, mandatory))
            continue
        owed = dues[info.id]
        rank = priority(owed.oldest_due, contacts.get(info.id), req.plan_date)
        out.append(_Candidate(info, owed, rates, value, mandatory, allowed, rank))
    return out, left, priors, len(infos)


def _eligible(info: cand.AccountInfo, planned: set[int]) -> frozenset[int]:
    """The planned collectors of the account's territory; only its responsible collector
    when they are one of them (the account is theirs to answer for), else any of them."""
    allowed = info.collectors & planned
    if info.responsible in allowed:
        return frozenset({info.responsible})
    return allowed


def _left(account_id: int, reason: str, prize: int, mandatory: bool) -> dict[str, object]:
    return {"account_id": account_id, "reason": reason, "prize_fen": prize, "mandatory": mandatory}


def _preselect(
    cands: Sequence[_Candidate], vehicles: Sequence[_Vehicle], req: PlanRequest
) -> tuple[list[_Candidate], list[_Candidate]]:
    """Top ``per_collector`` candidates of each collector by prize per second spent on them."""
    if not cands:
        return [], []
    pts = np.asarray([c.info.lonlat for c in cands], dtype=np.float64)
    pinned = {a for seq in req.pinned.values() for a in seq}
    keep: set[int] = {i for i, c in enumerate(cands) if c.mandatory or c.info.id in pinned}
    per = min(req.per_collector, max(20, req.max_modelled // max(1, len(vehicles))))
    for v in vehicles:
        speed = profile_for(DEFAULT_PROFILES, v.mode).speed_mps
        secs = haversine_m(np.asarray([v.start], dtype=np.float64), pts)[0] * 1.5 / speed
        mine = [i for i, c in enumerate(cands) if v.collector.id in c.allowed]
        mine.sort(key=lambda i: -cands[i].prize / (req.service_s + 2 * secs[i]))
        keep.update(mine[:per])
    chosen = [c for i, c in enumerate(cands) if i in keep]
    dropped = [c for i, c in enumerate(cands) if i not in keep]
    return chosen, dropped


def _window(c: _Candidate, service_s: int) -> tuple[tuple[int, int], ...]:
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
    vehicles: Sequence[_Vehicle],
    stops: Sequence[_Candidate],
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
        durations=tuple(tuple(r) for r in matrix.seconds.tolist()),
        costs=tuple(tuple(r) for r in costs.tolist()),
        vehicles=tuple(
            routing.Vehicle(
                id=v.vid,
                start=k,
                end=ends[k],
                shift=v.shift,
                breaks=v.breaks,
                pinned=tuple(f"a{a}" for a in req.pinned.get(v.collector.id, ())),
            )
            for k, v in enumerate(vehicles)
        ),
        stops=tuple(
            routing.Stop(
                id=s.stop_id,
                location=loc_of[s.stop_id],
                service=req.service_s,
                time_windows=_window(s, req.service_s),
                prize=None if s.mandatory else s.prize,
                vehicles=frozenset(vids[c] for c in s.allowed if c in vids),
            )
            for s in stops
        ),
    )
    return GroupModel(problem, points, loc_of, ends, matrix.seconds)


def _solve_group(
    vehicles: Sequence[_Vehicle],
    stops: Sequence[_Candidate],
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
    left = max(MIN_SEARCH_S, time_limit - (time.monotonic() - t0))
    params = routing.SolveParams(time_limit=left, seed=req.seed, workers=req.workers)
    sol = routing.solve(model.problem, params)
    travel = []
    for k, r in enumerate(sol.routes):
        locs = [k, *(model.loc_of[x.id] for x in r.stops), model.ends[k]]
        travel.append(sum(int(model.seconds[a, b]) for a, b in zip(locs, locs[1:], strict=False)))
    return sol, model.points, model.loc_of, travel


@dataclass(frozen=True)
class _Gathered:
    tz: ZoneInfo
    collectors: list[cand.Collector]
    vehicles: list[_Vehicle]
    chosen: list[_Candidate]
    left: list[dict[str, object]]
    priors: Priors
    n_arrears: int


def _gather(session: Session, req: PlanRequest) -> _Gathered:
    station, depot, tz = cand.station_info(session, req.station_id)
    collectors = cand.station_collectors(
        session, req.station_id, list(req.collector_ids) if req.collector_ids else None
    )
    vehicles = [vehicle_for(c, depot, req) for c in collectors]
    cands, left, priors, n_arrears = value_candidates(
        session, req, station.timezone, {c.id for c in collectors}
    )
    chosen, dropped = _preselect(cands, vehicles, req)
    left += [_left(c.info.id, NOT_PRESELECTED, c.value.prize_fen, c.mandatory) for c in dropped]
    return _Gathered(tz, collectors, vehicles, chosen, left, priors, n_arrears)


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
    g = _gather(session, req)
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
    g = _gather(session, req)
    tz, collectors, vehicles, chosen = g.tz, g.collectors, g.vehicles, g.chosen
    left, priors, n_arrears = g.left, g.priors, g.n_arrears
    t_gather = time.monotonic() - t0

    by_id = {c.stop_id: c for c in chosen}
    reasons: dict[str, str] = {}
    served: set[str] = set()
    routes: list[PlannedRoute] = []
    solver_stats: list[dict[str, object]] = []
    modes = sorted({v.mode for v in vehicles})
    for mode in modes:
        group = [v for v in vehicles if v.mode is mode]
        ids = {v.collector.id for v in group}
        stops = [c for c in chosen if c.stop_id not in served and c.allowed & ids]
        share = req.time_limit * len(group) / max(1, len(vehicles))
        t1 = time.monotonic()
        sol, points, loc_of, travel = _solve_group(group, stops, req, provider, share)
        solver_stats.append(
            {
                "mode": mode.value,
                "vehicles": len(group),
                "stops": len(stops),
                "status": sol.status,
                "prize_collected_fen": sol.prize_collected,
                "objective": sol.cost,
                "seconds": round(time.monotonic() - t1, 2),
            }
        )
        for u in sol.unassigned:
            reasons[u.id] = u.reason.value
        for v, r, secs in zip(group, sol.routes, travel, strict=True):
            served.update(x.id for x in r.stops)
            routes.append(_route(v, r, by_id, secs, req, tz))
    for sid in served:
        reasons.pop(sid, None)
    left += [
        _left(by_id[sid].info.id, why, by_id[sid].value.prize_fen, by_id[sid].mandatory)
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
            "formula": "amount_due x p_pay x p_home x (1 - p_self), p_self = P(pays by "
            "itself before the month ends, within horizon_days); rates shrunk toward "
            "village/category means",
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
            },
        },
        "collectors": [c.id for c in collectors],
        "time_limit": req.time_limit,
        "seconds": {"gather": round(t_gather, 2), "total": round(time.monotonic() - t0, 2)},
    }
    return PlanDraft(req.station_id, req.plan_date, tuple(routes), summary)


def _route(
    v: _Vehicle,
    r: routing.Route,
    by_id: dict[str, _Candidate],
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
                explain=c.explain(req.service_s),
                lonlat=c.info.lonlat,
            )
        )
    path = (v.start, *(s.lonlat for s in stops), v.end) if stops else ()
    return PlannedRoute(
        collector_id=v.collector.id,
        stops=tuple(stops),
        travel_seconds=travel_seconds,
        expected_value=sum((s.expected_value for s in stops), Decimal("0.00")),
        path=path,
    )
