"""Arrears by age and the escalation stage they call for.

Ages are days past the due date of each bill's unpaid principal:
``d1_30`` (1-30 days), ``d31_60``, ``d61_90`` and ``d90_plus`` (more than 90).
The stage follows the oldest unpaid bill (DOMAIN.md, "Hard cases"):
none -> reminder (<= 30 days) -> visit (31-60) -> repeated_visit (61-90)
-> supervisor_visit (91-180) -> formal_notice (> 180).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0.00")


class Stage(enum.StrEnum):
    NONE = "none"
    REMINDER = "reminder"
    VISIT = "visit"
    REPEATED_VISIT = "repeated_visit"
    SUPERVISOR_VISIT = "supervisor_visit"
    FORMAL_NOTICE = "formal_notice"


@dataclass(frozen=True)
class AgeBuckets:
    """Overdue principal by age; bills not yet due are in none of them."""

    d1_30: Decimal = ZERO
    d31_60: Decimal = ZERO
    d61_90: Decimal = ZERO
    d90_plus: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.d1_30 + self.d31_60 + self.d61_90 + self.d90_plus


def age_buckets(items: Iterable[tuple[int, Decimal]]) -> AgeBuckets:
    """Sum ``(days_overdue, principal)`` pairs into age buckets."""
    sums = [ZERO, ZERO, ZERO, ZERO]
    for days, principal in items:
        if days <= 0 or principal <= 0:
            continue
        index = 0 if days <= 30 else 1 if days <= 60 else 2 if days <= 90 else 3
        sums[index] += principal
    return AgeBuckets(*sums)


def escalation_stage(oldest_days_overdue: int) -> Stage:
    """The escalation stage for arrears whose oldest unpaid bill is this many days late."""
    if oldest_days_overdue <= 0:
        return Stage.NONE
    if oldest_days_overdue <= 30:
        return Stage.REMINDER
    if oldest_days_overdue <= 60:
        return Stage.VISIT
    if oldest_days_overdue <= 90:
        return Stage.REPEATED_VISIT
    if oldest_days_overdue <= 180:
        return Stage.SUPERVISOR_VISIT
    return Stage.FORMAL_NOTICE
