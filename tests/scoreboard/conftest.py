"""Scoreboard fixtures: reuse the plan tests' in-process doorbell (no job reaches Redis)."""

from tests.plans.conftest import rung  # noqa: F401
