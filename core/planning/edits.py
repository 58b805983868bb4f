"""Saving an edited plan as the day's next draft version (re-optimise: :mod:`.reoptimise`).

Plans are versioned: saving never changes the plan it starts from. The caller commits.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.models import Plan
from core.planning.check_report import PlanCheck
from core.planning.draft import PlanDraft
from core.planning.versions import store_plan

#: Summary keys of the base plan that describe its own solve, not the edited version.
_SOLVE_KEYS = ("solver", "seconds", "time_limit", "modelled")


def check_summary(check: PlanCheck) -> dict[str, object]:
    """The plan check in a form a plan's JSON summary keeps: the verdict, every finding
    (route-wide ones without an account) and the value report."""
    v = check.value
    findings = [
        {
            "collector_id": r.collector_id,
            "account_id": s.account_id if s is not None else None,
            "kind": x.kind,
            "detail": x.detail,
            "minutes": x.minutes,
        }
        for r in check.routes
        for s, found in ((None, r.violations), *((s, s.violations) for s in r.stops))
        for x in found
    ]
    return {
        "by": "plan_check",
        "feasible": check.feasible,
        "violations": check.violations,
        "findings": findings,
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
    routes = tuple(r.planned() for r in check.routes)
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
