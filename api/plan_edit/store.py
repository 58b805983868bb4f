"""Saving an edited plan as the day's next draft version, and re-optimising around locks.

Plans are versioned: neither function changes the plan it starts from. The caller commits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.plan_edit import planner
from api.plan_edit.model import PlanCheck, StalePlan
from api.plans.model import PlanDraft, PlannedRoute, PlannedStop, PlanRequest
from api.plans.service import compute_plan
from api.plans.store import store_plan
from geo.models import Plan, PlanStatus
from geo.travel import MatrixProvider

#: Summary keys of the base plan that describe its own solve, not the edited version.
_SOLVE_KEYS = ("solver", "seconds", "time_limit", "modelled")


def check_summary(check: PlanCheck) -> dict[str, object]:
    """The plan check in a form a plan's JSON summary keeps."""
    v = check.value
    return {
        "feasible": check.feasible,
        "violations": check.violations,
        "warnings": list(check.warnings),
        "value": {
            "baseline_plan_id": v.baseline_plan_id,
            "baseline": f"{v.baseline:.2f}",
            "kept": f"{v.kept:.2f}",
            "lost": f"{v.lost:.2f}",
            "added": f"{v.added:.2f}",
            "edited": f"{v.edited:.2f}",
            "at_risk": f"{v.at_risk:.2f}",
        },
    }


def save_edit(session: Session, plan: Plan, check: PlanCheck, *, created_by: int) -> Plan:
    """Store the checked routes as the next draft version of ``plan``'s day."""
    routes = tuple(
        PlannedRoute(
            collector_id=r.collector_id,
            stops=tuple(
                PlannedStop(
                    account_id=s.account_id,
                    seq=s.seq,
                    eta=s.eta,
                    departure=s.departure,
                    expected_value=s.expected_value,
                    mandatory=s.mandatory,
                    locked=s.locked,
                    explain=s.explain,
                    lonlat=s.lonlat,
                )
                for s in r.stops
            ),
            travel_seconds=r.travel_seconds,
            expected_value=r.expected_value,
            path=r.path,
        )
        for r in check.routes
    )
    summary = {k: v for k, v in (plan.summary or {}).items() if k not in _SOLVE_KEYS}
    summary.update(
        {
            "edit_of": plan.id,
            "optimised_plan_id": check.value.baseline_plan_id,
            "planned_stops": sum(len(r.stops) for r in routes),
            "expected_value": f"{check.value.edited:.2f}",
            "unassigned": list(check.left_out),
            "check": check_summary(check),
            "travel": check.travel,
        }
    )
    summary.pop("unassigned_counts", None)
    draft = PlanDraft(plan.station_id, plan.plan_date, routes, summary)
    return store_plan(session, draft, job_id=None, created_by=created_by)


@dataclass(frozen=True)
class Reoptimised:
    plan: Plan
    #: Locked stops that could not stay (no arrears left, or outside the collector's
    #: territories now), with the reason.
    dropped_locks: tuple[dict[str, object], ...]
    seconds: float


def reoptimise(
    session: Session,
    plan: Plan,
    *,
    time_limit: float,
    per_collector: int,
    created_by: int,
    provider: MatrixProvider | None = None,
) -> Reoptimised:
    """Re-run the optimiser on ``plan``'s day keeping its locked stops, in their order, at
    the head of their collector's route; store the result as the next draft version.

    Raises
    ------
    StalePlan
        If the plan has been superseded.
    """
    if plan.status is PlanStatus.SUPERSEDED:
        raise StalePlan("This plan version was superseded; re-optimise the newest version.")
    t0 = time.monotonic()
    collectors = sorted(r.collector_id for r in plan.routes)
    valuation = planner.valuation(session, plan.station_id, plan.plan_date, set(collectors))
    pinned: dict[int, tuple[int, ...]] = {}
    dropped: list[dict[str, object]] = []
    for r in plan.routes:
        keep = []
        for s in r.stops:
            if not s.locked:
                continue
            c = valuation.candidates.get(s.account_id)
            if c is None:
                dropped.append({"account_id": s.account_id, "reason": "no_arrears"})
            elif r.collector_id not in c.allowed:
                dropped.append({"account_id": s.account_id, "reason": "outside_territory"})
            else:
                keep.append(s.account_id)
        if keep:
            pinned[r.collector_id] = tuple(keep)
    req = PlanRequest(
        station_id=plan.station_id,
        plan_date=plan.plan_date,
        collector_ids=tuple(collectors),
        time_limit=time_limit,
        per_collector=per_collector,
        workers=1,
        pinned=pinned,
    )
    draft = compute_plan(session, req, provider)
    summary = dict(draft.summary)
    summary.update({"reoptimised_from": plan.id, "dropped_locks": dropped})
    new = store_plan(
        session,
        PlanDraft(draft.station_id, draft.plan_date, draft.routes, summary),
        job_id=None,
        created_by=created_by,
    )
    return Reoptimised(new, tuple(dropped), round(time.monotonic() - t0, 2))
