"""Typed values the plan service passes around (no database, no Flask)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from core.planning.priors import Priors

#: Why an account with arrears is not on any route, beyond the solver's own reasons
#: (``routing.Reason``: no_eligible_vehicle, capacity, outside_time_windows, during_break,
#: unreachable_in_shift, not_worth_it, no_room, search_limit).
NO_TERRITORY = "no_territory"
TERRITORY_WITHOUT_COLLECTOR = "territory_without_collector"
COLLECTOR_NOT_IN_PLAN = "collector_not_in_plan"
NOT_PRESELECTED = "not_preselected"
VISITED_TODAY = "visited_today"
PAYMENT_PENDING = "payment_pending"
PROMISED = "promised"
CALL_PAY_ONLINE = "call_pay_online"
COLLECTOR_ABSENT = "collector_absent"

#: What each reason means, stored in ``plan.summary["reasons"]`` for the supervisor's screen.
REASON_HELP: dict[str, str] = {
    NO_TERRITORY: "The account lies in no territory.",
    TERRITORY_WITHOUT_COLLECTOR: "Its territory has no collector assigned.",
    COLLECTOR_NOT_IN_PLAN: "Its territory's collectors were left out of this plan.",
    NOT_PRESELECTED: "Below each collector's cut by expected value per minute.",
    VISITED_TODAY: "Already visited today (re-plan).",
    PAYMENT_PENDING: "Money taken at the door awaits a supervisor's review (quarantine).",
    PROMISED: "Promised to pay by a later day of this month: off the routes until then "
    "(back, with priority, if the day passes unpaid; a promise for after the month's end "
    "holds nobody off).",
    CALL_PAY_ONLINE: "Said on the phone they will pay online that day: no visit.",
    COLLECTOR_ABSENT: "Its territory's collectors are absent that day (leave, training, sick) "
    "and no colleague of the territory is planned: reassign or override the absence.",
    "no_eligible_vehicle": "No planned collector may visit it.",
    "capacity": "No collector has room for one more stop.",
    "outside_time_windows": "Its visiting window lies outside every shift.",
    "during_break": "Its visiting window falls in every possible collector's lunch break.",
    "unreachable_in_shift": "Too far to reach and return within the shift (lunch included).",
    "not_worth_it": "Even at its cheapest place on a route, or visited alone, the detour "
    "costs more than the expected recovery.",
    "no_room": "Worth a trip on its own, but every possible collector's day is full of "
    "better visits.",
    "search_limit": "Would fit and pay, but the planner stopped first (time limit, or not "
    "among the candidates of a big day); a longer planning time may add it.",
}


#: The least share of a request's time limit its search gets when gathering the
#: candidates already took the rest (:attr:`PlanRequest.limit_includes_gather`). The
#: search starts from the greedy day on a big day (``routing.solver.GREEDY_START``), so
#: a short search still returns at least that; beyond it, a slow gather makes the job
#: late rather than the plan poor.
MIN_SEARCH_SHARE = 0.1


@dataclass(frozen=True)
class PlanRequest:
    """What to plan: one station, one local day, some or all of its collectors.

    Attributes
    ----------
    per_collector
        How many candidates (by value density) each collector brings into the model;
        promises to pay always come in.
    service_s
        Time at each door, seconds.
    workers
        Parallel searches (processes) in the solver.
    """

    station_id: int
    plan_date: dt.date
    collector_ids: tuple[int, ...] | None = None
    time_limit: float = 30.0
    per_collector: int = 150
    #: Cap on modelled stops in one solve (matrix memory grows with its square): with
    #: many collectors each brings ``max_modelled // collectors`` (at least 20).
    max_modelled: int = 1500
    service_s: int = 600
    workers: int = 1
    seed: int = 0
    #: A fixed search effort instead of the time limit: this many ruin-and-recreate
    #: iterations per travel-mode group, without the engine's polish, so that the same
    #: day gets the same routes whatever the machine's load (the month simulation compares
    #: policies with it); ``time_limit`` stays the safety net.
    iterations: int | None = None
    #: ``time_limit`` bounds gathering and searching together (a plan job: the limit is
    #: what the supervisor waits); the search gets what gathering left, and at least
    #: ``MIN_SEARCH_SHARE`` of the limit. Off: the search alone gets ``time_limit``.
    limit_includes_gather: bool = False
    #: With ``limit_includes_gather``: seconds of the limit kept for what follows the
    #: search (the routes, the summary and storing the plan), so that the job ends by its
    #: limit (a plan job passes its worker's recent storing times).
    finish_reserve: float = 0.0
    #: Value the day within the rolling horizon of the month's remaining working days
    #: (``core.planning.horizon``); off for re-plans of a day already running.
    rolling: bool = True
    #: Per collector id: account ids already visited today, in order (re-plan only).
    pinned: dict[int, tuple[int, ...]] = field(default_factory=dict)
    #: Per collector id: ``(lon, lat)`` to start from instead of home/depot (re-plan only).
    start_at: dict[int, tuple[float, float]] = field(default_factory=dict)
    #: Per collector id: station-local seconds to start at (re-plan only).
    start_time: dict[int, int] = field(default_factory=dict)
    #: Accounts not to plan (re-plan: already visited today).
    exclude_accounts: frozenset[int] = frozenset()
    #: The value model's priors to value against, instead of making them from every
    #: account of the station (re-plan: the priors of the plan being re-planned). With
    #: them, only the accounts the planned collectors may visit are read.
    priors: Priors | None = None
    #: Collectors to plan although an absence covers the day (the plan request's override).
    include_absent: frozenset[int] = frozenset()


@dataclass(frozen=True)
class PlannedStop:
    account_id: int
    seq: int
    eta: dt.datetime
    departure: dt.datetime
    expected_value: Decimal
    mandatory: bool
    locked: bool
    explain: dict[str, object]
    #: Where the stop is, for the route's line; None for a stop copied from a stored route.
    lonlat: tuple[float, float] | None = None


@dataclass(frozen=True)
class PlannedRoute:
    collector_id: int
    stops: tuple[PlannedStop, ...]
    travel_seconds: int
    expected_value: Decimal
    path: tuple[tuple[float, float], ...]
    #: ``path`` is a stored line that already follows the roads (its kind, e.g. "road"),
    #: not waypoints to route: kept as it is when the plan is stored again.
    on_roads: str = ""


@dataclass(frozen=True)
class PlanDraft:
    """A solved day, not yet stored."""

    station_id: int
    plan_date: dt.date
    routes: tuple[PlannedRoute, ...]
    summary: dict[str, object]
