"""Typed values of route editing: the edit asked for and the plan check answered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from core.errors import Conflict, Invalid
from core.planning.draft import PlannedRoute, PlannedStop
from core.planning.timing import TimedRoute, TimedStop, Violation

#: Why an account with arrears is off the edited plan, beyond the planner's reasons.
REMOVED_BY_EDITOR = "removed_by_editor"
NOT_IN_PLAN = "not_in_plan"


@dataclass(frozen=True)
class StopEdit:
    account_id: int
    locked: bool = False


@dataclass(frozen=True)
class RouteEdit:
    """The desired stops of one collector's route, in order."""

    collector_id: int
    stops: tuple[StopEdit, ...]


class InvalidEdit(Invalid):
    """The edit does not fit the plan; ``errors`` are field errors shaped like the body."""

    def __init__(self, errors: dict[int | str, object]) -> None:
        super().__init__(errors, "The edit does not fit the plan.")


class StalePlan(Conflict):
    """The plan was superseded: edit the day's newest version instead."""


@dataclass(frozen=True)
class CheckedStop:
    seq: int
    account_id: int
    lonlat: tuple[float, float]
    locked: bool
    mandatory: bool
    expected_value: Decimal
    explain: dict[str, object]
    window: tuple[int, int] | None
    timed: TimedStop
    arrival: dt.datetime
    eta: dt.datetime
    departure: dt.datetime

    @property
    def violations(self) -> tuple[Violation, ...]:
        return self.timed.violations


@dataclass(frozen=True)
class CheckedRoute:
    collector_id: int
    stops: tuple[CheckedStop, ...]
    timed: TimedRoute
    leaves_at: dt.datetime
    back_at: dt.datetime
    break_at: dt.datetime | None
    path: tuple[tuple[float, float], ...]

    @property
    def expected_value(self) -> Decimal:
        return sum((s.expected_value for s in self.stops), Decimal("0.00"))

    @property
    def travel_seconds(self) -> int:
        return self.timed.travel_s

    @property
    def violations(self) -> tuple[Violation, ...]:
        return self.timed.violations

    def planned(self) -> PlannedRoute:
        """The checked route as a draft route, to store as a plan version."""
        return PlannedRoute(
            collector_id=self.collector_id,
            stops=tuple(
                PlannedStop(
                    account_id=s.account_id,
                    seq=s.seq,
                    eta=s.eta,
                    departure=s.departure,
                    expected_value=s.expected_value,
                    mandatory=s.mandatory,
                    locked=s.locked,
                    explain=s.explain,
                    lonlat=s.lonlat,
                )
                for s in self.stops
            ),
            travel_seconds=self.travel_seconds,
            expected_value=self.expected_value,
            path=self.path,
        )


@dataclass(frozen=True)
class ValueReport:
    """Expected value of the edited plan against the optimiser's version of the day."""

    baseline_plan_id: int
    baseline: Decimal
    kept: Decimal
    lost: Decimal
    added: Decimal
    edited: Decimal
    at_risk: Decimal
    lost_accounts: tuple[dict[str, object], ...]

    @property
    def delta(self) -> Decimal:
        return self.edited - self.baseline


@dataclass(frozen=True)
class PlanCheck:
    """A plan's routes timed and valued as the planner would, with every violation."""

    base_plan_id: int
    routes: tuple[CheckedRoute, ...]
    value: ValueReport
    left_out: tuple[dict[str, object], ...]
    warnings: tuple[str, ...]
    travel: str

    @property
    def violations(self) -> int:
        return sum(len(r.violations) + sum(len(s.violations) for s in r.stops) for r in self.routes)

    @property
    def feasible(self) -> bool:
        return self.violations == 0
