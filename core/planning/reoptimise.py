"""Re-optimise around locks as a plan job: submitted in the request, solved by a worker.

The request checks the plan, pins its locked stops that can stay (the others are dropped
with a reason) and submits a plan job whose payload carries the pins, the dropped locks
and ``reoptimise_from`` (the base plan's id). The worker (:func:`core.planning.runner.run_plan_job`)
re-checks the base plan and the pins, solves with the pins and the same collectors, and
stores the next draft version of the station's day, once per job (``plan.job_id`` is
unique). A base plan superseded meanwhile fails the job with :class:`PlanConflict`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from core.errors import Conflict
from core.models import Job, Plan, PlanStatus
from core.planning.check_report import StalePlan
from core.planning.draft import PlanDraft, PlanRequest
from core.planning.submit import InvalidPlanRequest, submit_plan_job
from core.planning.valuation import Valuation, value_day
from core.planning.versions import PlanConflict, lock_station_day, store_plan

#: The payload key that makes a plan job a re-optimise of that plan id.
REOPTIMISE_KEY = "reoptimise_from"
NO_ARREARS = "no_arrears"
OUTSIDE_TERRITORY = "outside_territory"


@dataclass(frozen=True)
class Locks:
    """Locked stops sorted out: pinned (collector id -> account ids in order), or dropped."""

    pinned: dict[int, tuple[int, ...]]
    #: ``{"account_id", "reason"}`` for each lock that cannot stay.
    dropped: tuple[dict[str, object], ...]


def sort_locks(valuation: Valuation, locks: Iterable[tuple[int, int]]) -> Locks:
    """Keep each ``(collector_id, account_id)`` lock whose account still has arrears and lies
    in one of the collector's territories; drop the others with the reason."""
    pinned: dict[int, list[int]] = {}
    dropped: list[dict[str, object]] = []
    for collector_id, account_id in locks:
        c = valuation.candidates.get(account_id)
        if c is None:
            dropped.append({"account_id": account_id, "reason": NO_ARREARS})
        elif collector_id not in c.allowed:
            dropped.append({"account_id": account_id, "reason": OUTSIDE_TERRITORY})
        else:
            pinned.setdefault(collector_id, []).append(account_id)
    return Locks({c: tuple(seq) for c, seq in pinned.items()}, tuple(dropped))


def plan_locks(session: Session, plan: Plan) -> Locks:
    """The locked stops of ``plan``, judged as the planner values the day now."""
    collectors = {r.collector_id for r in plan.routes}
    valuation = value_day(session, plan.station_id, plan.plan_date, collectors)
    locks = ((r.collector_id, s.account_id) for r in plan.routes for s in r.stops if s.locked)
    return sort_locks(valuation, locks)


def submit_reoptimise(
    session: Session, plan: Plan, *, today: dt.date, time_limit: float, created_by: int
) -> tuple[Job, Locks]:
    """Add the queued re-optimise job of ``plan`` (the caller commits, then rings).

    Raises
    ------
    StalePlan
        If the plan has been superseded.
    Conflict
        If the day is out of the planning range or a collector is no longer active.
    """
    if plan.status is PlanStatus.SUPERSEDED:
        raise StalePlan("This plan version was superseded; re-optimise the newest version.")
    locks = plan_locks(session, plan)
    try:
        job = submit_plan_job(
            session,
            station_id=plan.station_id,
            plan_date=plan.plan_date,
            today=today,
            collector_ids=sorted({r.collector_id for r in plan.routes}),
            time_limit=time_limit,
            created_by=created_by,
            pinned=locks.pinned,
            extra={REOPTIMISE_KEY: plan.id, "dropped_locks": list(locks.dropped)},
        )
    except InvalidPlanRequest as exc:
        # The plan's own day or collectors no longer fit: a state conflict, not bad input.
        raise Conflict(f"This plan cannot be re-optimised: {exc}") from exc
    return job, locks


@dataclass(frozen=True)
class ReoptimiseContext:
    base_plan_id: int
    dropped: tuple[dict[str, object], ...]

    def result(self) -> dict[str, object]:
        """What the job's result adds to a plan job's."""
        return {"reoptimised_from": self.base_plan_id, "dropped_locks": list(self.dropped)}


def _check_base(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id, populate_existing=True)
    if plan is None or plan.status is PlanStatus.SUPERSEDED:
        raise PlanConflict(
            f"Plan {plan_id} was superseded since the re-optimise was asked for; "
            "re-optimise the newest version."
        )
    return plan


def reoptimise_request(
    session: Session, payload: dict[str, Any], base: PlanRequest
) -> tuple[PlanRequest, ReoptimiseContext]:
    """The plan request of a re-optimise job, evaluated now.

    Pins whose account was paid off, or left the collector's territories, since the job
    was submitted are dropped too (with the reason) rather than failing the solve.
    """
    plan_id = int(payload[REOPTIMISE_KEY])
    _check_base(session, plan_id)
    dropped = tuple(payload.get("dropped_locks") or ())
    pinned = base.pinned
    if pinned:
        valuation = value_day(session, base.station_id, base.plan_date, set(pinned))
        locks = sort_locks(valuation, ((c, a) for c, seq in pinned.items() for a in seq))
        pinned, dropped = locks.pinned, dropped + locks.dropped
    req = dataclasses.replace(base, pinned=pinned)
    return req, ReoptimiseContext(plan_id, dropped)


def store_reoptimised(
    session: Session,
    draft: PlanDraft,
    ctx: ReoptimiseContext,
    *,
    job_id: uuid.UUID,
    created_by: int | None,
) -> Plan:
    """Store the re-optimised day as its next draft version (the caller commits).

    Raises :class:`PlanConflict` if the base plan was superseded meanwhile.
    """
    lock_station_day(session, draft.station_id, draft.plan_date)
    _check_base(session, ctx.base_plan_id)
    summary = dict(draft.summary)
    summary.update(ctx.result())
    return store_plan(
        session,
        PlanDraft(draft.station_id, draft.plan_date, draft.routes, summary),
        job_id=job_id,
        created_by=created_by,
    )
