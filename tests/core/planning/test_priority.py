"""Visit priority: the escalation stage, and the limitation period a contact restarts."""

from __future__ import annotations

import datetime as dt

from core.money.aging import Stage
from core.planning.priority import LIMITATION_FACTOR, STAGE_FACTOR, limitation_end, priority

DAY = dt.date(2026, 11, 27)


def test_the_factor_rises_with_the_escalation_stage():
    ages = [10, 45, 75, 120, 400]
    ranks = [priority(DAY - dt.timedelta(days=d), DAY - dt.timedelta(days=5), DAY) for d in ages]
    assert [r.stage for r in ranks] == [
        Stage.REMINDER,
        Stage.VISIT,
        Stage.REPEATED_VISIT,
        Stage.SUPERVISOR_VISIT,
        Stage.FORMAL_NOTICE,
    ]
    factors = [r.factor for r in ranks]
    assert factors == sorted(factors) and factors[0] == 1.0 < factors[-1]
    assert all(r.limitation_ends is None for r in ranks)


def test_a_claim_about_to_lapse_counts_double_until_a_contact_restarts_it():
    due = dt.date(2023, 12, 10)  # lapses 2026-12-10, 13 days after DAY
    urgent = priority(due, None, DAY)
    assert urgent.limitation_ends == dt.date(2026, 12, 10)
    assert urgent.factor == STAGE_FACTOR[Stage.FORMAL_NOTICE] * LIMITATION_FACTOR
    assert urgent.as_dict()["limitation_ends"] == "2026-12-10"
    # A visit that reached the customer last year restarted the period.
    calm = priority(due, dt.date(2025, 6, 1), DAY)
    assert calm.limitation_ends is None and calm.factor == STAGE_FACTOR[Stage.FORMAL_NOTICE]
    # A contact before the bill fell due does not count; a lapsed claim is not urgent.
    assert priority(due, dt.date(2023, 1, 1), DAY).limitation_ends is not None
    assert priority(dt.date(2023, 6, 1), None, DAY).limitation_ends is None


def test_the_period_of_a_leap_day_ends_on_28_february():
    assert limitation_end(dt.date(2024, 2, 29), None) == dt.date(2027, 2, 28)
