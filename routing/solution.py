"""The typed result of a solve."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from routing.reasons import Reason

__all__ = ["BreakTaken", "Route", "Solution", "Status", "Unassigned", "Visit"]


class Status:
    """Values of :attr:`Solution.status`."""

    #: Every mandatory stop is served.
    FEASIBLE = "feasible"
    #: Some mandatory stops could not be served; they are listed in ``unassigned``.
    MANDATORY_UNSERVED = "mandatory_unserved"
    #: The search found nothing in its budget; every stop is unassigned.
    NO_SOLUTION = "no_solution"


@dataclass(frozen=True)
class Visit:
    """One stop on a route, with its schedule in seconds.

    Parameters
    ----------
    id
        Stop id.
    arrival
        Arrival at the stop.
    start
        Start of service (``>= arrival``, inside a time window).
    departure
        ``start + service``.
    """

    id: str
    arrival: int
    start: int
    departure: int


@dataclass(frozen=True)
class BreakTaken:
    """A break on a route: it starts at ``start`` and lasts ``duration`` seconds."""

    start: int
    duration: int


@dataclass(frozen=True)
class Route:
    """One vehicle's plan.

    Parameters
    ----------
    vehicle
        Vehicle id.
    stops
        The visits in order (pinned ones first).
    breaks
        The breaks taken, in time order.
    start
        Departure from the start location.
    end
        Arrival at the end location (departure from the last stop for an open end).
    cost
        Sum of the arc costs of the route.
    """

    vehicle: str
    stops: tuple[Visit, ...]
    breaks: tuple[BreakTaken, ...]
    start: int
    end: int
    cost: int


@dataclass(frozen=True)
class Unassigned:
    """A stop left out of the plan, and why."""

    id: str
    reason: Reason


@dataclass(frozen=True)
class Solution:
    """The plan.

    Parameters
    ----------
    routes
        One route per vehicle, in the problem's vehicle order (possibly empty).
    unassigned
        Every stop not on a route, with a reason, in the problem's stop order.
    cost
        The objective: arc costs plus the prizes of skipped optional stops.
    prize_collected
        Sum of the prizes of the served optional stops.
    status
        One of the :class:`Status` values.
    seconds
        Where the solve's time went, by phase (``check``: pre-check and pre-selection;
        ``model``, ``first_solution``, ``improve``: the best search's; ``greedy``: the
        Python construction, when it ran; ``classify``: the reasons of the stops left
        out). For reports; not part of the plan (ignored by equality).
    """

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    cost: int
    prize_collected: int
    status: str
    seconds: Mapping[str, float] = field(default_factory=dict, compare=False)
