"""The plan check: validate an edit, time every route, value it against the optimiser.

``check_plan`` takes a plan and the routes a supervisor wants (the others unchanged),
refuses edits that do not fit (unknown or out-of-scope accounts, duplicates, a collector
outside the account's territory, accounts without arrears) with field errors, and
returns each route timed with the planner's travel provider and service times, every
time-window, shift and break violation, the value kept and lost, and the reason each
account with arrears is left out. Takes a ``Session``; no Flask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Account, Plan, PlanStatus, Stop
from core.planning import candidates as cand
from core.planning.check_report import (
    NOT_IN_PLAN,
    REMOVED_BY_EDITOR,
    CheckedRoute,
    CheckedStop,
    InvalidEdit,
    PlanCheck,
    RouteEdit,
    StalePlan,
    StopEdit,
    ValueReport,
)
from core.planning.draft import PlanRequest
from core.planning.timing import StopTimes, time_route
from core.planning.unassigned import actionable
from core.planning.valuation import Valuation, value_day
from core.planning.vehicles import VehicleSpec, local_instant, vehicle_specs
from core.planning.visit_value import BANDS
from core.scope import Scope, restrict
from geo.travel import GreatCircleProvider, MatrixProvider

ZERO = Decimal("0.00")


def _base_routes(plan: Plan) -> dict[int, tuple[StopEdit, ...]]:
    return {
        r.collector_id: tuple(StopEdit(s.account_id, s.locked) for s in r.stops)
        for r in plan.routes
    }


def _errors_at(
    errors: dict[int | str, object], i: int, j: int | None, field: str, msg: str
) -> None:
    at = errors.setdefault(i, {})
    assert isinstance(at, dict)
    if j is not None:
        at = at.setdefault("stops", {}).setdefault(j, {})
    at.setdefault(field, []).append(msg)


def _located(
    session: Session, scope: Scope, station_id: int, ids: set[int]
) -> dict[int, tuple[float, float]]:
    """``(lon, lat)`` of the accounts among ``ids`` in scope and in the station."""
    if not ids:
        return {}
    stmt = restrict(
        select(Account.id, func.ST_X(Account.location), func.ST_Y(Account.location)).where(
            Account.id.in_(sorted(ids)), Account.station_id == station_id
        ),
        Account,
        scope,
    )
    return {a: (float(x), float(y)) for a, x, y in session.execute(stmt)}


def _validate(
    session: Session,
    scope: Scope,
    plan: Plan,
    edits: Sequence[RouteEdit],
    valuation: Valuation,
) -> tuple[dict[int, tuple[StopEdit, ...]], dict[int, tuple[float, float]]]:
    """The routes after the edit, and where each of their accounts is; or InvalidEdit."""
    routes = _base_routes(plan)
    on_plan = {s.account_id for stops in routes.values() for s in stops}
    errors: dict[int | str, object] = {}
    seen_collectors: set[int] = set()
    for i, e in enumerate(edits):
        if e.collector_id not in routes:
            _errors_at(errors, i, None, "collector_id", "No route of this collector in the plan.")
        elif e.collector_id in seen_collectors:
            _errors_at(errors, i, None, "collector_id", "This collector's route is given twice.")
        seen_collectors.add(e.collector_id)
    if errors:
        raise InvalidEdit(errors)
    for e in edits:
        routes[e.collector_id] = e.stops
    ids = {s.account_id for stops in routes.values() for s in stops}
    where = _located(session, scope, plan.station_id, ids)
    edited_ids = {s.account_id for e in edits for s in e.stops}
    infos = {
        a.id: a for a in cand.accounts_with_collectors(session, sorted(edited_ids & set(where)))
    }
    counts: dict[int, int] = {}
    for stops in routes.values():
        for s in stops:
            counts[s.account_id] = counts.get(s.account_id, 0) + 1
    for i, e in enumerate(edits):
        for j, s in enumerate(e.stops):
            a = s.account_id
            if a not in where:
                _errors_at(errors, i, j, "account_id", "No such account in this plan's station.")
                continue
            if counts[a] > 1:
                others = sorted(c for c, st in routes.items() for x in st if x.account_id == a)
                _errors_at(
                    errors,
                    i,
                    j,
                    "account_id",
                    f"Account {a} appears more than once (routes of collectors {others}).",
                )
            info = infos.get(a)
            if info is None or e.collector_id not in info.collectors:
                _errors_at(
                    errors,
                    i,
                    j,
                    "account_id",
                    f"Account {a} is not in a territory of collector {e.collector_id}.",
                )
            elif a not in on_plan and a not in valuation.candidates:
                why = valuation.excluded.get(a, {}).get("reason", "no arrears on the plan day")
                _errors_at(errors, i, j, "account_id", f"Account {a} is not a candidate: {why}.")
    if errors:
        raise InvalidEdit(errors)
    return routes, where


def _value_report(session: Session, plan: Plan, routes: Sequence[CheckedRoute]) -> ValueReport:
    baseline_id = plan.summary.get("optimised_plan_id", plan.id) if plan.summary else plan.id
    base = session.get(Plan, baseline_id) if baseline_id != plan.id else plan
    if base is None:
        base = plan
    values = {
        s.account_id: s.expected_value
        for s in session.scalars(select(Stop).where(Stop.route_id.in_([r.id for r in base.routes])))
    }
    edited = {s.account_id: s for r in routes for s in r.stops}
    lost = sorted((a for a in values if a not in edited), key=lambda a: (-values[a], a))
    return ValueReport(
        baseline_plan_id=base.id,
        baseline=sum(values.values(), ZERO),
        kept=sum((v for a, v in values.items() if a in edited), ZERO),
        lost=sum((values[a] for a in lost), ZERO),
        added=sum((s.expected_value for a, s in edited.items() if a not in values), ZERO),
        edited=sum((s.expected_value for s in edited.values()), ZERO),
        at_risk=sum((s.expected_value for s in edited.values() if s.violations), ZERO),
        lost_accounts=tuple({"account_id": a, "expected_value": f"{values[a]:.2f}"} for a in lost),
    )


def _left_out(
    plan: Plan, valuation: Valuation, routes: Sequence[CheckedRoute]
) -> tuple[dict[str, object], ...]:
    on_base = {s.account_id for r in plan.routes for s in r.stops}
    on_edit = {s.account_id for r in routes for s in r.stops}
    listed: Any = (plan.summary or {}).get("unassigned", [])
    before: dict[int, dict[str, Any]] = {int(x["account_id"]): x for x in listed}
    out: list[dict[str, object]] = []
    for a in sorted((set(valuation.candidates) | set(valuation.excluded) | on_base) - on_edit):
        c = valuation.candidates.get(a)
        old: dict[str, Any] = before.get(a) or dict(valuation.excluded.get(a, {}))
        reason = REMOVED_BY_EDITOR if a in on_base else old.get("reason", NOT_IN_PLAN)
        prize = c.prize_fen if c is not None else int(old.get("prize_fen", 0))
        mandatory = c.mandatory if c is not None else bool(old.get("mandatory", False))
        out.append({"account_id": a, "reason": reason, "prize_fen": prize, "mandatory": mandatory})
    out.sort(key=lambda x: (not x["mandatory"], -int(x["prize_fen"]), x["account_id"]))  # type: ignore[call-overload]
    return tuple(out)


def check_plan(
    session: Session,
    scope: Scope,
    plan: Plan,
    edits: Sequence[RouteEdit] = (),
    provider: MatrixProvider | None = None,
) -> PlanCheck:
    """Time and value ``plan`` with ``edits`` applied (routes not named stay as they are).

    Raises
    ------
    InvalidEdit
        With field errors, if the edit does not fit the plan.
    StalePlan
        If the plan has been superseded.
    """
    if plan.status is PlanStatus.SUPERSEDED:
        raise StalePlan("This plan version was superseded; edit the day's newest version.")
    provider = provider or GreatCircleProvider()
    collectors = sorted(r.collector_id for r in plan.routes)
    valuation = value_day(session, plan.station_id, plan.plan_date, set(collectors))
    routes, where = _validate(session, scope, plan, edits, valuation)
    starts: Any = (plan.summary or {}).get("same_day_start")
    specs, tz = vehicle_specs(session, plan.station_id, plan.plan_date, collectors, starts)
    stored = {s.account_id: s for r in plan.routes for s in r.stops}
    checked = tuple(
        _check_route(plan, specs[cid], routes[cid], where, stored, valuation, provider, tz)
        for cid in collectors
    )
    warnings: list[str] = []
    travel = str((plan.summary or {}).get("travel", provider.key))
    if travel != provider.key:
        warnings.append(f"Planned with travel times {travel}; checked with {provider.key}.")
    settled = sorted(a for a in where if a not in valuation.candidates)
    if settled:
        warnings.append(f"No arrears left on the plan day (paid since planning?): {settled}.")
    left_out = tuple(actionable(session, _left_out(plan, valuation, checked)))
    dropped = [x["account_id"] for x in left_out if x["mandatory"]]
    if dropped:
        warnings.append(f"Promised visits (mandatory) left out: {dropped}.")
    return PlanCheck(
        base_plan_id=plan.id,
        routes=checked,
        value=_value_report(session, plan, checked),
        left_out=left_out,
        warnings=tuple(warnings),
        travel=provider.key,
    )


def _check_route(
    plan: Plan,
    spec: VehicleSpec,
    stops: Sequence[StopEdit],
    where: dict[int, tuple[float, float]],
    stored: dict[int, Stop],
    valuation: Valuation,
    provider: MatrixProvider,
    tz: ZoneInfo,
) -> CheckedRoute:
    points = [spec.start, *(where[s.account_id] for s in stops), spec.end]
    seconds = provider.matrix(points, spec.mode).seconds
    legs = [int(seconds[k, k + 1]) for k in range(len(points) - 1)]
    facts = []
    for s in stops:
        old = stored.get(s.account_id)
        if old is not None:
            facts.append((old.expected_value, old.mandatory, dict(old.explain)))
        else:
            c = valuation.candidates[s.account_id]
            facts.append((c.expected_value, c.mandatory, c.explain))
    times = [stop_times(explain) for _, _, explain in facts]
    timed = time_route(spec.times, times, legs)
    day = plan.plan_date
    out = tuple(
        CheckedStop(
            seq=k,
            account_id=s.account_id,
            lonlat=where[s.account_id],
            locked=s.locked,
            mandatory=mandatory,
            expected_value=value,
            explain=explain,
            window=st.window,
            timed=t,
            arrival=local_instant(day, t.arrival, tz),
            eta=local_instant(day, t.start, tz),
            departure=local_instant(day, t.departure, tz),
        )
        for k, (s, (value, mandatory, explain), st, t) in enumerate(
            zip(stops, facts, times, timed.stops, strict=True), start=1
        )
    )
    return CheckedRoute(
        collector_id=spec.collector_id,
        stops=out,
        timed=timed,
        leaves_at=local_instant(day, timed.start, tz),
        back_at=local_instant(day, timed.end, tz),
        break_at=None if timed.break_start is None else local_instant(day, timed.break_start, tz),
        path=tuple(points) if stops else (),
    )


#: Time at each door when a stop's explain does not say (the planner's default).
DEFAULT_SERVICE_S = PlanRequest(station_id=0, plan_date=dt.date(2000, 1, 1)).service_s


def stop_times(explain: dict[str, object]) -> StopTimes:
    """Service time and start window of a stop from its explain numbers (a call's window
    ``["14:00", "16:00"]``, else the band ``"08-11"``)."""
    service = explain.get("service_s")
    service_s = service if isinstance(service, int) and service >= 0 else DEFAULT_SERVICE_S
    window = explain.get("window")  # the time the customer gave on a call ahead
    if isinstance(window, list) and len(window) == 2:
        try:
            a, b = (int(h) * 3600 + int(m) * 60 for h, m in (str(t).split(":") for t in window))
        except ValueError:
            a = b = -1
        if 0 <= a < b:
            return StopTimes(service_s, (a, max(a, b - service_s)))
    band = explain.get("band")
    if not isinstance(band, str) or "-" not in band:
        return StopTimes(service_s)
    a, b = (int(x) * 3600 for x in band.split("-", 1))
    if (a // 3600, b // 3600) not in BANDS:
        return StopTimes(service_s)
    return StopTimes(service_s, (a, max(a, b - service_s)))
