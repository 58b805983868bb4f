"""Daily plans over HTTP: submit a plan job, follow it, read and publish the plan.

Flow: ``POST /api/stations/{id}/plans`` stores a ``queued`` job in PostgreSQL and rings
Celery (``plans.run_job``); a worker claims the job with a leased conditional UPDATE
(:mod:`core.planning.jobs`), heartbeats while :func:`core.planning.compute_plan` values
the visits (:mod:`core.planning.visit_value`) and solves the ``routing.Problem``, then stores the
plan and marks the job done in one transaction (:mod:`core.planning.runner`). The reaper
(``flask jobs reap``, beat task ``plans.reap``) re-queues expired leases and re-rings
jobs left queued while Redis was down. ``POST /api/plans/{id}/publish`` makes a draft
the day's published plan; collectors read theirs through :mod:`api.my_route`.

Config (``ARREARS_`` env prefix): ``PLAN_LEASE_S`` (60), ``PLAN_HEARTBEAT_S`` (15),
``PLAN_MAX_TIME_LIMIT`` (300), ``PLAN_SOLVER_WORKERS`` (1; more than one forks solver
processes, which Celery's prefork children cannot do: use ``--pool=solo`` or threads),
``PLAN_PER_COLLECTOR`` (150 candidates per collector in the model).
"""
