"""JSON form of problems and solutions (see ``routing/README.md`` for the format)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from routing.errors import ProblemError
from routing.problem import Break, Problem, Stop, Vehicle
from routing.reasons import Reason
from routing.solution import BreakTaken, Route, Solution, Unassigned, Visit

__all__ = [
    "problem_from_dict",
    "problem_to_dict",
    "read_request",
    "request_from_json",
    "solution_from_dict",
    "solution_to_dict",
]

_T = TypeVar("_T")

_TOP = {"durations", "costs", "vehicles", "stops", "initial_routes", "name"}
_VEHICLE = {"id", "start", "end", "shift", "capacity", "max_stops", "breaks", "skills", "pinned"}
_VEHICLE_REQUIRED = {"id", "start", "end", "shift"}
_BREAK = {"window", "duration"}
_STOP = {"id", "location", "service", "time_windows", "demand", "prize", "skills", "vehicles"}
_STOP_REQUIRED = {"id", "location"}


def _object(data: object, where: str, allowed: set[str], required: set[str]) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise ProblemError(where, f"expected an object, got {type(data).__name__}")
    for key in data:
        if key not in allowed:
            raise ProblemError(f"{where}.{key}" if where else str(key), "unknown key")
    for key in sorted(required):
        if key not in data:
            raise ProblemError(f"{where}.{key}" if where else key, "missing")
    return dict(data)


def _list(data: object, where: str) -> list[Any]:
    if not isinstance(data, list):
        raise ProblemError(where, f"expected a list, got {type(data).__name__}")
    return data


def _build(where: str, make: Callable[..., _T], **fields: Any) -> _T:
    """Call ``make(**fields)``; prefix the field of any ``ProblemError`` with ``where``."""
    try:
        return make(**fields)
    except ProblemError as error:
        field = f"{where}.{error.field}" if error.field else where
        raise ProblemError(field, error.message) from None


def _vehicle(data: object, where: str) -> Vehicle:
    d = _object(data, where, _VEHICLE, _VEHICLE_REQUIRED)
    breaks = []
    for j, b in enumerate(_list(d.get("breaks", []), f"{where}.breaks")):
        bw = f"{where}.breaks[{j}]"
        bd = _object(b, bw, _BREAK, _BREAK)
        breaks.append(_build(bw, Break, window=bd["window"], duration=bd["duration"]))
    return _build(
        where,
        Vehicle,
        id=d["id"],
        start=d["start"],
        end=d["end"],
        shift=d["shift"],
        capacity=d.get("capacity"),
        max_stops=d.get("max_stops"),
        breaks=tuple(breaks),
        skills=_list(d.get("skills", []), f"{where}.skills"),
        pinned=_list(d.get("pinned", []), f"{where}.pinned"),
    )


def _stop(data: object, where: str) -> Stop:
    d = _object(data, where, _STOP, _STOP_REQUIRED)
    allowed = d.get("vehicles")
    return _build(
        where,
        Stop,
        id=d["id"],
        location=d["location"],
        service=d.get("service", 0),
        time_windows=_list(d.get("time_windows", []), f"{where}.time_windows"),
        demand=d.get("demand", 0),
        prize=d.get("prize"),
        skills=_list(d.get("skills", []), f"{where}.skills"),
        vehicles=None if allowed is None else _list(allowed, f"{where}.vehicles"),
    )


def read_request(data: object) -> tuple[Problem, dict[str, list[str]]]:
    """Parse a problem document and its optional warm start.

    Parameters
    ----------
    data
        The decoded JSON document.

    Returns
    -------
    problem
        The validated problem.
    initial_routes
        The ``initial_routes`` member (vehicle id to stop ids), empty if absent.

    Raises
    ------
    ProblemError
        Naming the first bad field, e.g. ``stops[3].time_windows[0]``.
    """
    d = _object(data, "", _TOP, {"durations", "vehicles", "stops"})
    vehicles = [
        _vehicle(v, f"vehicles[{i}]") for i, v in enumerate(_list(d["vehicles"], "vehicles"))
    ]
    stops = [_stop(s, f"stops[{i}]") for i, s in enumerate(_list(d["stops"], "stops"))]
    problem = Problem(d["durations"], tuple(vehicles), tuple(stops), d.get("costs"))
    initial: dict[str, list[str]] = {}
    raw = d.get("initial_routes", {})
    if not isinstance(raw, Mapping):
        raise ProblemError("initial_routes", "expected an object: vehicle id -> [stop ids]")
    ids = {v.id for v in problem.vehicles}
    for vid, sids in raw.items():
        where = f"initial_routes.{vid}"
        if vid not in ids:
            raise ProblemError(where, f"unknown vehicle id {vid!r}")
        if not all(isinstance(s, str) for s in _list(sids, where)):
            raise ProblemError(where, "expected a list of stop ids")
        initial[vid] = list(sids)
    return problem, initial


def problem_from_dict(data: object) -> Problem:
    """Parse a problem document (see :func:`read_request`), ignoring its warm start."""
    return read_request(data)[0]


def request_from_json(text: str) -> tuple[Problem, dict[str, list[str]]]:
    """Parse JSON text with :func:`read_request`; invalid JSON is a ``ProblemError`` too."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProblemError("", f"invalid JSON: {error}") from None
    return read_request(data)


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The JSON document of a problem (inverse of :func:`problem_from_dict`)."""
    out: dict[str, Any] = {
        "durations": [list(r) for r in problem.durations],
        "vehicles": [
            {
                "id": v.id,
                "start": v.start,
                "end": v.end,
                "shift": list(v.shift),
                "capacity": v.capacity,
                "max_stops": v.max_stops,
                "breaks": [{"window": list(b.window), "duration": b.duration} for b in v.breaks],
                "skills": sorted(v.skills),
                "pinned": list(v.pinned),
            }
            for v in problem.vehicles
        ],
        "stops": [
            {
                "id": s.id,
                "location": s.location,
                "service": s.service,
                "time_windows": [list(w) for w in s.time_windows],
                "demand": s.demand,
                "prize": s.prize,
                "skills": sorted(s.skills),
                "vehicles": None if s.vehicles is None else sorted(s.vehicles),
            }
            for s in problem.stops
        ],
    }
    if problem.costs is not None:
        out["costs"] = [list(r) for r in problem.costs]
    return out


def solution_to_dict(solution: Solution) -> dict[str, Any]:
    """The JSON document of a solution."""
    return {
        "status": solution.status,
        "cost": solution.cost,
        "prize_collected": solution.prize_collected,
        "routes": [
            {
                "vehicle": r.vehicle,
                "start": r.start,
                "end": r.end,
                "cost": r.cost,
                "stops": [
                    {"id": x.id, "arrival": x.arrival, "start": x.start, "departure": x.departure}
                    for x in r.stops
                ],
                "breaks": [{"start": b.start, "duration": b.duration} for b in r.breaks],
            }
            for r in solution.routes
        ],
        "unassigned": [{"id": u.id, "reason": str(u.reason)} for u in solution.unassigned],
    }


def solution_from_dict(data: Mapping[str, Any]) -> Solution:
    """Rebuild a :class:`Solution` from :func:`solution_to_dict` output (trusted input)."""
    routes = tuple(
        Route(
            vehicle=r["vehicle"],
            stops=tuple(
                Visit(x["id"], x["arrival"], x["start"], x["departure"]) for x in r["stops"]
            ),
            breaks=tuple(BreakTaken(b["start"], b["duration"]) for b in r.get("breaks", [])),
            start=r["start"],
            end=r["end"],
            cost=r["cost"],
        )
        for r in data["routes"]
    )
    unassigned = tuple(Unassigned(u["id"], Reason(u["reason"])) for u in data["unassigned"])
    return Solution(routes, unassigned, data["cost"], data["prize_collected"], data["status"])
