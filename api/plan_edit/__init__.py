"""Supervisor route editing on a plan: hand edits, the plan check, re-optimise around locks.

``PUT /api/plans/{id}/routes`` takes the desired stops of some routes (the others stay)
and stores the result as the day's next draft version with its plan check;
``POST /api/plans/{id}/check`` is the same check without saving;
``POST /api/plans/{id}/reoptimise`` queues a plan job (202) that re-runs the optimiser
keeping locked stops, in order, at the head of their collector's route.

The rules and the check itself live in ``core.planning`` (its README has the details).
"""
