"""Frozen, validated input data: vehicles (collectors), stops (visits) and the problem.

All quantities are integers: seconds for times and durations, any integer unit for arc
costs (metres, seconds, fen), fen for prizes, any integer unit for demand. Times are
absolute (e.g. seconds since the local midnight); a window ``(a, b)`` bounds the *start*
of service (or of a break).
"""

from __future__ import annotations

import operator
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from routing.errors import ProblemError

__all__ = ["MAX_VALUE", "Break", "Problem", "Stop", "Vehicle"]

#: Largest integer accepted anywhere in a problem (about 31,700 years in seconds).
MAX_VALUE = 10**12
#: Bound on any sum the solver may form (costs plus penalties), well inside int64.
_MAX_TOTAL = 2**62


def check_int(value: object, where: str, *, minimum: int = 0) -> int:
    """Return ``value`` if it is a true integer in ``[minimum, MAX_VALUE]``.

    Parameters
    ----------
    value
        The value to check; ``bool`` and ``float`` (even NaN) are refused.
    where
        The field path used in the error.
    minimum
        Smallest allowed value.

    Returns
    -------
    int
        ``value`` unchanged.

    Raises
    ------
    ProblemError
        If ``value`` is not an int in range.
    """
    if type(value) is not int:
        raise ProblemError(where, f"expected an integer, got {value!r}")
    if value < minimum:
        raise ProblemError(where, f"must be >= {minimum}, got {value}")
    if value > MAX_VALUE:
        raise ProblemError(where, f"must be <= {MAX_VALUE}, got {value}")
    return value


def check_window(value: object, where: str) -> tuple[int, int]:
    """Return ``value`` as a ``(start, end)`` pair of non-negative ints with start <= end."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) != 2:
        raise ProblemError(where, f"expected [start, end], got {value!r}")
    start = check_int(value[0], f"{where}[0]")
    end = check_int(value[1], f"{where}[1]")
    if end < start:
        raise ProblemError(where, f"end {end} before start {start}")
    return (start, end)


def _check_id(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ProblemError(where, f"expected a non-empty string, got {value!r}")
    return value


def _check_names(value: object, where: str) -> frozenset[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | frozenset | set):
        raise ProblemError(where, f"expected a list of strings, got {value!r}")
    return frozenset(_check_id(v, f"{where}[{i}]") for i, v in enumerate(value))


def _set(obj: Any, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


@dataclass(frozen=True)
class Break:
    """A break (lunch) of ``duration`` seconds starting inside ``window``.

    Parameters
    ----------
    window
        ``(earliest, latest)`` start of the break, in seconds.
    duration
        Length of the break, in seconds.
    """

    window: tuple[int, int]
    duration: int

    def __post_init__(self) -> None:
        _set(self, "window", check_window(self.window, "window"))
        check_int(self.duration, "duration")


@dataclass(frozen=True)
class Vehicle:
    """A collector with a shift, a start and an optional end location.

    Parameters
    ----------
    id
        Unique identifier.
    start
        Location index where the route starts.
    end
        Location index where the route ends, or ``None`` for an open end (the route ends
        at the last stop's departure).
    shift
        ``(earliest departure from start, latest arrival at end)`` in seconds.
    capacity
        Largest total ``demand`` of the route, ``None`` for unlimited.
    max_stops
        Largest number of stops (pinned ones included), ``None`` for unlimited.
    breaks
        Breaks to take during the shift, none by default.
    skills
        Skills this collector has; a stop needing skills goes only to vehicles having all.
    pinned
        Ids of stops already done or started: the route must begin with exactly these stops,
        in this order. Their time windows and vehicle restrictions are not applied (they are
        facts, not choices); shift, capacity and ``max_stops`` still are.
    """

    id: str
    start: int
    end: int | None
    shift: tuple[int, int]
    capacity: int | None = None
    max_stops: int | None = None
    breaks: tuple[Break, ...] = ()
    skills: frozenset[str] = frozenset()
    pinned: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_id(self.id, "id")
        check_int(self.start, "start")
        if self.end is not None:
            check_int(self.end, "end")
        _set(self, "shift", check_window(self.shift, "shift"))
        if self.capacity is not None:
            check_int(self.capacity, "capacity")
        if self.max_stops is not None:
            check_int(self.max_stops, "max_stops")
        if isinstance(self.breaks, Break) or not isinstance(self.breaks, Sequence):
            raise ProblemError("breaks", "expected a list of breaks")
        _set(self, "breaks", tuple(self.breaks))
        for i, brk in enumerate(self.breaks):
            if not isinstance(brk, Break):
                raise ProblemError(f"breaks[{i}]", f"expected a Break, got {brk!r}")
            if brk.window[0] < self.shift[0] or brk.window[1] > self.shift[1]:
                raise ProblemError(f"breaks[{i}].window", f"{list(brk.window)} outside the shift")
        _set(self, "skills", _check_names(self.skills, "skills"))
        if isinstance(self.pinned, str) or not isinstance(self.pinned, Sequence):
            raise ProblemError("pinned", "expected a list of stop ids")
        _set(self, "pinned", tuple(_check_id(p, f"pinned[{i}]") for i, p in enumerate(self.pinned)))


@dataclass(frozen=True)
class Stop:
    """A visit to make (or to choose to make).

    Parameters
    ----------
    id
        Unique identifier.
    location
        Location index.
    service
        Time spent at the stop, in seconds.
    time_windows
        Disjoint ``(earliest, latest)`` start-of-service windows; empty means any time.
    demand
        Capacity used on the vehicle.
    prize
        Value of the visit (fen); skipping an optional stop costs its prize. ``None`` makes
        the stop mandatory (appointment, promise to pay).
    skills
        Skills the collector needs.
    vehicles
        Ids of the vehicles allowed to make the visit, ``None`` for any.
    """

    id: str
    location: int
    service: int = 0
    time_windows: tuple[tuple[int, int], ...] = ()
    demand: int = 0
    prize: int | None = None
    skills: frozenset[str] = frozenset()
    vehicles: frozenset[str] | None = None

    def __post_init__(self) -> None:
        _check_id(self.id, "id")
        check_int(self.location, "location")
        check_int(self.service, "service")
        if isinstance(self.time_windows, str) or not isinstance(self.time_windows, Sequence):
            raise ProblemError("time_windows", "expected a list of [start, end] windows")
        windows = tuple(
            check_window(w, f"time_windows[{i}]") for i, w in enumerate(self.time_windows)
        )
        ordered = sorted(windows)
        for (_, end), (start, _) in zip(ordered, ordered[1:], strict=False):
            if start <= end:
                raise ProblemError("time_windows", f"windows overlap at {start}")
        _set(self, "time_windows", tuple(ordered))
        check_int(self.demand, "demand")
        if self.prize is not None:
            check_int(self.prize, "prize")
        _set(self, "skills", _check_names(self.skills, "skills"))
        if self.vehicles is not None:
            _set(self, "vehicles", _check_names(self.vehicles, "vehicles"))

    @property
    def mandatory(self) -> bool:
        """Whether the stop must be served (it has no prize)."""
        return self.prize is None


def _check_matrix(
    value: object, name: str, size: int | None
) -> tuple[tuple[tuple[int, ...], ...], int]:
    """The matrix as tuples and its largest entry; refuses anything but n x n ints in range.

    A 2,000 x 2,000 matrix has 4 million entries: each row is checked with C-level passes
    (exact ``int`` type count, unsigned 64-bit conversion for negatives, ``max``) and only a
    row that fails is walked entry by entry to name the bad field.
    """
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise ProblemError(name, "expected a non-empty square list of lists of integers")
    n = len(value) if size is None else size
    if len(value) != n:
        raise ProblemError(name, f"expected {n} rows, got {len(value)}")
    rows = []
    biggest = 0
    for i, row in enumerate(value):
        if isinstance(row, str) or not isinstance(row, Sequence) or len(row) != n:
            got = len(row) if isinstance(row, Sequence) else type(row).__name__
            raise ProblemError(f"{name}[{i}]", f"not square: expected {n} entries, got {got}")
        row = tuple(row)
        top = _row_max(row)
        if top is None:
            _name_bad_entry(row, f"{name}[{i}]")
        biggest = max(biggest, top)
        rows.append(row)
    return tuple(rows), biggest


def _name_bad_entry(row: tuple[Any, ...], where: str) -> NoReturn:
    for j, x in enumerate(row):
        check_int(x, f"{where}[{j}]")
    raise ProblemError(where, "bad entry")  # not reached: check_int raised above


def _row_max(row: tuple[Any, ...]) -> int | None:
    """Largest entry of a row of ints in ``[0, MAX_VALUE]``, ``None`` if any entry is not."""
    # Exact type: bool (an int subclass) and floats (NaN included) are refused.
    if operator.countOf(map(type, row), int) != len(row):
        return None
    try:
        array("Q", row)  # raises on negative entries
    except OverflowError:
        return None
    top: int = max(row, default=0)
    return top if top <= MAX_VALUE else None


@dataclass(frozen=True)
class Problem:
    """A day to plan: a travel-time matrix, the vehicles and the candidate stops.

    Parameters
    ----------
    durations
        ``n x n`` travel times in seconds between location indices.
    vehicles
        The collectors, at least one.
    stops
        The candidate visits.
    costs
        ``n x n`` arc costs; ``None`` means the durations. The objective is the sum of arc
        costs plus the prizes of the skipped optional stops.

    Raises
    ------
    ProblemError
        On any inconsistency, naming the field.
    """

    durations: tuple[tuple[int, ...], ...]
    vehicles: tuple[Vehicle, ...]
    stops: tuple[Stop, ...]
    costs: tuple[tuple[int, ...], ...] | None = None
    #: Set by validation (scanning a big matrix again would take a noticeable time).
    _max_arc_cost: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        durations, biggest = _check_matrix(self.durations, "durations", None)
        n = len(durations)
        _set(self, "durations", durations)
        _set(self, "_max_arc_cost", biggest)
        if self.costs is not None:
            costs, biggest_cost = _check_matrix(self.costs, "costs", n)
            _set(self, "costs", costs)
            _set(self, "_max_arc_cost", biggest_cost)
            biggest = max(biggest, biggest_cost)
        _set(self, "vehicles", tuple(self.vehicles))
        _set(self, "stops", tuple(self.stops))
        if not self.vehicles:
            raise ProblemError("vehicles", "at least one vehicle is needed")
        self._check_vehicles(n)
        self._check_stops(n)
        self._check_pinned()
        self._check_totals(biggest)

    def _check_vehicles(self, n: int) -> None:
        seen: set[str] = set()
        for i, v in enumerate(self.vehicles):
            if not isinstance(v, Vehicle):
                raise ProblemError(f"vehicles[{i}]", f"expected a Vehicle, got {v!r}")
            if v.id in seen:
                raise ProblemError(f"vehicles[{i}].id", f"duplicate id {v.id!r}")
            seen.add(v.id)
            for name, loc in (("start", v.start), ("end", v.end)):
                if loc is not None and loc >= n:
                    raise ProblemError(f"vehicles[{i}].{name}", f"unknown location index {loc}")

    def _check_stops(self, n: int) -> None:
        vehicle_ids = {v.id for v in self.vehicles}
        seen: set[str] = set()
        for i, s in enumerate(self.stops):
            if not isinstance(s, Stop):
                raise ProblemError(f"stops[{i}]", f"expected a Stop, got {s!r}")
            if s.id in seen:
                raise ProblemError(f"stops[{i}].id", f"duplicate id {s.id!r}")
            seen.add(s.id)
            if s.location >= n:
                raise ProblemError(f"stops[{i}].location", f"unknown location index {s.location}")
            for vid in sorted(s.vehicles or ()):
                if vid not in vehicle_ids:
                    raise ProblemError(f"stops[{i}].vehicles", f"unknown vehicle id {vid!r}")

    def _check_pinned(self) -> None:
        stop_ids = {s.id for s in self.stops}
        owner: dict[str, str] = {}
        for i, v in enumerate(self.vehicles):
            for j, sid in enumerate(v.pinned):
                where = f"vehicles[{i}].pinned[{j}]"
                if sid not in stop_ids:
                    raise ProblemError(where, f"unknown stop id {sid!r}")
                if sid in owner:
                    raise ProblemError(where, f"stop {sid!r} already pinned to {owner[sid]!r}")
                owner[sid] = v.id
            self._check_prefix(i, v)

    def _check_prefix(self, i: int, v: Vehicle) -> None:
        """A pinned prefix must fit the vehicle: it is a fact, so a misfit is bad data."""
        if not v.pinned:
            return
        by_id = {s.id: s for s in self.stops}
        pins = [by_id[sid] for sid in v.pinned]
        where = f"vehicles[{i}].pinned"
        if v.max_stops is not None and len(pins) > v.max_stops:
            raise ProblemError(where, f"{len(pins)} pinned stops > max_stops {v.max_stops}")
        load = sum(s.demand for s in pins)
        if v.capacity is not None and load > v.capacity:
            raise ProblemError(where, f"pinned demand {load} > capacity {v.capacity}")
        t, loc = v.shift[0], v.start
        for s in pins:
            t += self.durations[loc][s.location] + s.service
            loc = s.location
        t += 0 if v.end is None else self.durations[loc][v.end]
        if t > v.shift[1]:
            raise ProblemError(where, f"cannot be completed within the shift (ends at {t})")

    def _check_totals(self, big: int) -> None:
        horizon = max(v.shift[1] for v in self.vehicles)
        prizes = sum(s.prize or 0 for s in self.stops)
        nodes = len(self.stops) + 2 * len(self.vehicles)
        # Mandatory penalties are bounded by ~100 x (the largest arc + the largest prize).
        worst = nodes * (big + horizon) + 200 * nodes * (big + max(prizes, 1)) + prizes
        if worst >= _MAX_TOTAL:
            raise ProblemError("", "numbers too large: costs and prizes could overflow int64")

    @property
    def max_arc_cost(self) -> int:
        """Largest entry of the cost matrix (of ``durations`` without costs)."""
        return self._max_arc_cost

    @property
    def num_locations(self) -> int:
        """Number of locations (size of the matrices)."""
        return len(self.durations)

    def cost(self, i: int, j: int) -> int:
        """Arc cost from location ``i`` to location ``j``."""
        return (self.costs if self.costs is not None else self.durations)[i][j]


def stop_index(problem: Problem) -> dict[str, int]:
    """Map each stop id to its position in ``problem.stops``."""
    return {s.id: i for i, s in enumerate(problem.stops)}
