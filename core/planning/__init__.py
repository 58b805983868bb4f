"""Planning collectors' days: where ``geo`` output becomes ``routing`` input.

The flow: a plan job is submitted (:func:`submit_plan_job`) and run by a worker
(:func:`run_plan_job`): :func:`compute_plan` gathers and values the candidates
(``candidates``, ``valuation``), builds one ``routing.Problem`` per travel mode
(``vehicles``, ``problem``) and solves it; :func:`store_plan` writes the draft as the
day's next version, :func:`publish_plan` makes it the published one. A supervisor edits
routes by hand (:func:`check_plan`, :func:`save_edit`) or re-optimises around locked
stops (:func:`submit_reoptimise`); a collector re-plans the rest of a day
(:func:`submit_replan`). Functions take a ``Session`` and never commit.

This module is the surface the API, the benches and the month simulation use.
"""

from core.planning import jobs
from core.planning.check import check_plan
from core.planning.check_report import PlanCheck, RouteEdit, StopEdit
from core.planning.compute import collector_problem, compute_plan
from core.planning.draft import REASON_HELP, PlanDraft, PlannedRoute, PlannedStop, PlanRequest
from core.planning.edits import save_edit
from core.planning.reoptimise import submit_reoptimise
from core.planning.replan import submit_replan
from core.planning.runner import JobSettings, run_plan_job
from core.planning.submit import InvalidPlanRequest, submit_plan_job
from core.planning.travel import check_travel, station_travel
from core.planning.versions import PlanConflict, publish_plan, store_plan

__all__ = [
    "REASON_HELP",
    "InvalidPlanRequest",
    "JobSettings",
    "PlanCheck",
    "PlanConflict",
    "PlanDraft",
    "PlanRequest",
    "PlannedRoute",
    "PlannedStop",
    "RouteEdit",
    "StopEdit",
    "check_plan",
    "check_travel",
    "collector_problem",
    "compute_plan",
    "jobs",
    "publish_plan",
    "run_plan_job",
    "save_edit",
    "station_travel",
    "store_plan",
    "submit_plan_job",
    "submit_reoptimise",
    "submit_replan",
]
