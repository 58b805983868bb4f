"""How much more than its expected recovery a visit counts for when the day is planned.

The planner maximises ``expected recovery x priority``. Two things raise the priority:

- **The escalation stage** (:func:`core.money.aging.escalation_stage`): an account further
  up the ladder needs the visit the ladder prescribes (a repeated visit, the supervisor's,
  serving the formal notice in person) even when its odds are poor.
- **The limitation period** (诉讼时效): a claim for arrears lapses three years after it
  falls due (Civil Code art. 188) unless a demand for payment interrupts it (art. 195).
  A visit that reaches the customer, or a payment, restarts it. When the period of the
  oldest unpaid bill, counted from the later of its due date and the last contact, ends
  within :data:`LIMITATION_WARNING_DAYS`, the visit counts :data:`LIMITATION_FACTOR`
  times, so the station does not lose the right to the money.

- **A broken promise**: the day a customer promised to pay passed with nothing paid and no
  visit since; the visit counts :data:`BROKEN_PROMISE_FACTOR` times
  (:mod:`core.planning.promises`).

The stop's expected value stays the expected recovery: the priority steers the choice of
visits, it never inflates the money figures a supervisor reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.money.aging import Stage, escalation_stage

#: Priority factor per escalation stage.
STAGE_FACTOR: dict[Stage, float] = {
    Stage.NONE: 1.0,
    Stage.REMINDER: 1.0,
    Stage.VISIT: 1.0,
    Stage.REPEATED_VISIT: 1.1,
    Stage.SUPERVISOR_VISIT: 1.25,
    Stage.FORMAL_NOTICE: 1.5,
}
LIMITATION_YEARS = 3
#: The priority rises when the limitation period ends within this many days.
LIMITATION_WARNING_DAYS = 60
LIMITATION_FACTOR = 2.0
#: The priority of an account whose promise to pay was broken.
BROKEN_PROMISE_FACTOR = 1.5


@dataclass(frozen=True)
class Priority:
    """The factor on a visit's expected recovery, and why."""

    stage: Stage
    factor: float
    #: When the claim lapses, if that is within the warning period (else None).
    limitation_ends: dt.date | None = None
    #: The date of a promise to pay that passed unpaid (else None).
    broken_promise: dt.date | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "stage": self.stage.value,
            "factor": self.factor,
            "limitation_ends": None
            if self.limitation_ends is None
            else self.limitation_ends.isoformat(),
            "broken_promise": None
            if self.broken_promise is None
            else self.broken_promise.isoformat(),
        }


def limitation_end(oldest_due: dt.date, last_contact: dt.date | None) -> dt.date:
    """The day the claim on the oldest unpaid bill lapses, unless interrupted before."""
    start = oldest_due if last_contact is None else max(oldest_due, last_contact)
    try:
        return start.replace(year=start.year + LIMITATION_YEARS)
    except ValueError:  # 29 February
        return start.replace(year=start.year + LIMITATION_YEARS, day=28)


def priority(
    oldest_due: dt.date,
    last_contact: dt.date | None,
    day: dt.date,
    broken_promise: dt.date | None = None,
) -> Priority:
    """The priority on ``day`` of an account whose oldest unpaid bill fell due on ``oldest_due``.

    Parameters
    ----------
    oldest_due
        Due date of the oldest bill with principal left.
    last_contact
        Last day a visit reached the customer or the account paid anything, if ever.
    day
        The plan's day.
    broken_promise
        The date of a promise to pay that passed unpaid, if any.
    """
    stage = escalation_stage((day - oldest_due).days)
    factor = STAGE_FACTOR[stage]
    if broken_promise is not None:
        factor *= BROKEN_PROMISE_FACTOR
    ends = limitation_end(oldest_due, last_contact)
    # A lapsed claim is no longer urgent: the customer may still pay, but not be sued.
    if 0 <= (ends - day).days <= LIMITATION_WARNING_DAYS:
        return Priority(stage, factor * LIMITATION_FACTOR, ends, broken_promise)
    return Priority(stage, factor, None, broken_promise)
