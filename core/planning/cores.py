"""How a machine's cores are shared between the plan jobs it runs at once and each
job's route search (a portfolio of search processes, ``routing.SolverParams.workers``).

The search's quality grows with its processes (held-out Solomon set at 10 s: 0.68 %
mean gap with 2, 2.04 % with 1), but two jobs each searching with every core would
only take turns on them. So a job gets the cores divided by the plan jobs that will
run beside it: at most ``jobs_at_once`` (the worker processes of this machine), and
no more than are queued or running (a job alone gets every core). The rule keeps
``jobs x search processes <= cores``; when the queue is deep, each job searches with
``cores // jobs_at_once``. ``docs/scaling.md`` shows what that costs per station.
"""

from __future__ import annotations

import os

__all__ = ["machine_cores", "search_processes"]


def machine_cores(configured: int = 0) -> int:
    """``configured`` if positive, else the cores this process may run on."""
    if configured > 0:
        return configured
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def search_processes(*, most: int, cores: int, jobs_at_once: int, active_jobs: int) -> int:
    """Search processes for a plan job starting now.

    Parameters
    ----------
    most
        The configured ceiling per job (``PLAN_SOLVER_WORKERS``).
    cores
        The machine's cores for planning.
    jobs_at_once
        Plan jobs this machine runs at once (its Celery worker processes).
    active_jobs
        Plan jobs queued or running in the whole deployment, this one included.
    """
    beside = max(1, min(jobs_at_once, active_jobs))
    return max(1, min(most, cores // beside))
