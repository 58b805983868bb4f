"""Supervisor route editing on a plan: hand edits, the plan check, re-optimise around locks.

``PUT /api/plans/{id}/routes`` takes the desired stops of some routes (the others stay)
and stores the result as the day's next draft version with its plan check;
``POST /api/plans/{id}/check`` is the same check without saving;
``POST /api/plans/{id}/reoptimise`` queues a plan job (202) that re-runs the optimiser
keeping locked stops, in order, at the head of their collector's route.

Modules: :mod:`.schedule` (pure timing of a fixed route), :mod:`.planner` (the plan
service's vehicles and visit values), :mod:`.check` (validation, timing, value kept and
lost, reasons), :mod:`.store` (new versions), :mod:`.reoptimise` (the re-optimise job:
submitted by the view, request and store steps run by the plan job runner), :mod:`.views`.
"""
