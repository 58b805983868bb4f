"""Pack tests reuse the plan tests' fixtures (no Redis; plan a day in-process)."""

from tests.plans.conftest import plan_day, rung  # noqa: F401
