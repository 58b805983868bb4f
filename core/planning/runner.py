"""Running one plan job: claim, solve with a heartbeat, store the plan and finish atomically.

No Flask here: the Celery task and the tests call :func:`run_plan_job` with a
``sessionmaker`` and the settings. Re-plan payloads (``replan``, :mod:`core.planning.replan`)
and re-optimise payloads (``reoptimise_from``, :mod:`core.planning.reoptimise`) have
their own request and store steps around the same solve.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

import routing
from core.planning import jobs
from core.planning.compute import compute_plan
from core.planning.cores import machine_cores, search_processes
from core.planning.draft import PlanDraft, PlanRequest
from core.planning.reoptimise import (
    REOPTIMISE_KEY,
    ReoptimiseContext,
    reoptimise_request,
    store_reoptimised,
)
from core.planning.replan import ReplanContext, replan_request, store_replan
from core.planning.travel import station_travel
from core.planning.vehicles import SAME_DAY_LEAD_S, same_day_start
from core.planning.versions import PlanConflict, store_plan
from geo.travel import NoRoadNetwork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSettings:
    """Lease and heartbeat timing, and the solver's limits."""

    lease_s: float = 60.0
    heartbeat_s: float = 15.0
    max_time_limit: float = 300.0
    workers: int = 1
    """The most search processes one job may use (``PLAN_SOLVER_WORKERS``); each job gets
    its share of the cores (:func:`core.planning.cores.search_processes`)."""
    cores: int = 0
    """Cores of this machine for planning (``PLAN_CORES``; 0: the cores it has)."""
    jobs_at_once: int = 1
    """Plan jobs this machine runs at once: its worker processes (``PLAN_JOBS_AT_ONCE``)."""
    per_collector: int = 150
    travel: str = "auto"
    """``TRAVEL_MATRIX``: see ``geo.travel.choose``."""
    same_day_lead_s: int = SAME_DAY_LEAD_S
    """How long after it is made a plan for the current day starts (``PLAN_SAME_DAY_LEAD_S``)."""


class FinishTimes:
    """This worker process's recent seconds from the end of a plan's search to its plan
    stored (the routes and summary, then storing): what a day's plan job keeps of its
    limit (:attr:`PlanRequest.finish_reserve`). A moving average, starting at ``first``."""

    def __init__(self, first: float = 1.0, weight: float = 0.3) -> None:
        self.value, self.weight = first, weight
        self.lock = threading.Lock()

    def record(self, seconds: float) -> None:
        with self.lock:
            self.value += self.weight * (max(0.0, seconds) - self.value)


#: One per worker process (a Celery prefork child runs one job at a time).
FINISH_TIMES = FinishTimes()


def request_from_payload(payload: Mapping[str, Any], settings: JobSettings) -> PlanRequest:
    """The plan request stored in a job's payload (JSON: ids and dates as written)."""
    ids = payload.get("collector_ids")
    pinned = payload.get("pinned") or {}
    return PlanRequest(
        station_id=int(payload["station_id"]),
        plan_date=dt.date.fromisoformat(str(payload["plan_date"])),
        collector_ids=tuple(int(i) for i in ids) if ids else None,
        time_limit=min(float(payload.get("time_limit", 30)), settings.max_time_limit),
        workers=settings.workers,
        per_collector=settings.per_collector,
        pinned={int(c): tuple(int(a) for a in seq) for c, seq in pinned.items()},
        include_absent=frozenset(int(i) for i in payload.get("include_absent") or ()),
    )


def _result(
    plan_id: int, version: int, draft: PlanDraft, processes: int, store_s: float
) -> dict[str, object]:
    summary = draft.summary
    seconds = dict(summary.get("seconds") or {})  # type: ignore[call-overload]
    return {
        "search_processes": processes,
        "plan_id": plan_id,
        "version": version,
        "planned_stops": summary.get("planned_stops"),
        "expected_value": summary.get("expected_value"),
        "unassigned": len(summary.get("unassigned", [])),  # type: ignore[arg-type]
        # Where the job's time went; ``store``: writing the plan (not in the plan's summary).
        "seconds": seconds | {"store": round(store_s, 2)},
    }


class Heartbeat(threading.Thread):
    """Extends the lease every ``interval`` seconds in its own session until stopped."""

    def __init__(
        self, sessions: sessionmaker[Session], claim: jobs.Claim, settings: JobSettings
    ) -> None:
        super().__init__(name=f"heartbeat-{claim.job_id}", daemon=True)
        self.sessions, self.claim, self.settings = sessions, claim, settings
        self.stopped = threading.Event()
        self.lost = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.settings.heartbeat_s):
            try:
                with self.sessions() as s:
                    ok = jobs.heartbeat(s, self.claim, self.settings.lease_s)
                    s.commit()
                if not ok:
                    self.lost.set()
                    return
            except Exception:  # a missed beat is not fatal; the lease has slack
                log.warning("heartbeat failed for job %s", self.claim.job_id, exc_info=True)

    def stop(self) -> None:
        self.stopped.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout=5)


def run_plan_job(
    sessions: sessionmaker[Session],
    job_id: uuid.UUID,
    settings: JobSettings,
    *,
    retry: Callable[[uuid.UUID], object] | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Run the job if it can be claimed; returns what happened (for logs and tests).

    The plan and the job's ``done`` state are written in one transaction that first
    re-checks the lease (fencing by attempt number); ``plan.job_id`` is unique, so even
    a stale worker racing a new one cannot leave two plans for one job.
    """
    with sessions() as s:
        claim = jobs.claim(s, job_id, settings.lease_s)
        active = jobs.active_count(s) if claim is not None else 0
        s.commit()
    if claim is None:
        return "not_claimed"
    processes = search_processes(
        most=settings.workers,
        cores=machine_cores(settings.cores),
        jobs_at_once=settings.jobs_at_once,
        active_jobs=active,
    )
    settings = replace(settings, workers=processes)
    log.info("plan job %s: %s search processes (%s plan jobs active)", job_id, processes, active)
    beat = Heartbeat(sessions, claim, settings)
    beat.start()
    ctx: ReplanContext | None = None
    reopt: ReoptimiseContext | None = None
    try:
        req = request_from_payload(claim.payload, settings)
        with sessions() as s:
            if "replan" in claim.payload:
                req, ctx = replan_request(s, claim.payload, req, now or dt.datetime.now(dt.UTC))
            elif REOPTIMISE_KEY in claim.payload:
                req, reopt = reoptimise_request(s, claim.payload, req)
            starts: dict[str, Any] = {}
            if ctx is None and reopt is None:
                # A day's plan: its time limit is the job's, gathering and storing included.
                req = replace(req, limit_includes_gather=True, finish_reserve=FINISH_TIMES.value)
            if ctx is None:  # a re-plan starts from where and when it was asked
                req, starts = same_day_start(
                    s, req, now or dt.datetime.now(dt.UTC), settings.same_day_lead_s
                )
            draft = compute_plan(s, req, station_travel(s, req.station_id, settings.travel))
            if starts:
                draft.summary["same_day_start"] = starts
            s.rollback()
    except Exception as exc:
        beat.stop()
        # A superseded base plan, or pins the planner cannot place: retrying cannot help.
        final = isinstance(exc, PlanConflict | NoRoadNetwork) or (
            reopt is not None and isinstance(exc, routing.ProblemError)
        )
        if final:
            log.info("plan job %s cannot run: %s", job_id, exc)
            error = str(exc)
            if isinstance(exc, routing.ProblemError):
                error = f"The locked stops cannot be kept: {exc}"
        else:
            log.exception("plan job %s failed on attempt %s", job_id, claim.attempt)
            error = f"{type(exc).__name__}: {exc}"
        with sessions() as s:
            status = jobs.give_up(s, claim, error, final=final)
            s.commit()
        if status is not None and status.value == "queued" and retry is not None:
            retry(job_id)
        return "conflict" if final else "error"
    beat.stop()
    if beat.lost.is_set():
        return "lease_lost"
    stored = time.monotonic()
    with sessions() as s:
        try:
            if not jobs.finish(s, claim, {}):
                s.rollback()
                return "lease_lost"
            if ctx is not None:
                plan = store_replan(s, draft, ctx, job_id=job_id, created_by=claim.created_by)
            elif reopt is not None:
                plan = store_reoptimised(
                    s, draft, reopt, job_id=job_id, created_by=claim.created_by
                )
            else:
                plan = store_plan(s, draft, job_id=job_id, created_by=claim.created_by)
            store_s = time.monotonic() - stored
            result = _result(plan.id, plan.version, draft, processes, store_s)
            if reopt is not None:
                result |= reopt.result()
            jobs.finish_result(s, claim.job_id, result)
            s.commit()
            if ctx is None and reopt is None:
                routes_s = (draft.summary.get("seconds") or {}).get("routes", 0.0)  # type: ignore[attr-defined]
                FINISH_TIMES.record(float(routes_s) + time.monotonic() - stored)
        except IntegrityError:
            s.rollback()
            return "duplicate"
        except PlanConflict as exc:
            s.rollback()
            jobs.give_up(s, claim, str(exc), final=True)
            s.commit()
            return "conflict"
    return "done"
