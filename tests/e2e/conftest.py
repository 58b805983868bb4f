from tests.plans.conftest import plan_day, rung  # noqa: F401  (the plan fixtures, reused)
