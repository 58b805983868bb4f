"""Pure-Python ruin and recreate on stop lists, for the iterated local search.

Routes are lists of stop positions per vehicle. Feasibility of an insertion is tested in
O(1) with the earliest and latest start of service along the route (time windows, shift,
open ends), plus load, stop count, allowed vehicles and pinned prefixes. Breaks are not
modelled exactly: they conservatively shorten the shift, and the caller verifies candidate
solutions with OR-Tools when breaks exist.
"""

from __future__ import annotations

import random
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from routing.problem import Break, Problem
from routing.reasons import earliest_start

__all__ = ["Plan"]

_INF = 1 << 62
#: Insertion is tried only in routes holding one of a stop's nearest modelled stops.
_NEAR = 25


@dataclass(frozen=True)
class _Lookups:
    """What a plan reads but never changes: the matrices by column and each modelled
    stop's nearest modelled stops."""

    c_col: list[tuple[int, ...]]
    d_col: list[tuple[int, ...]]
    near: dict[int, list[int]]


#: The last problem's lookups: the greedy day and the search that starts from it (in
#: this process or a forked one) build them once (~0.5 s of CPU for 800 modelled stops
#: of 1,200 locations). Dropped with the problem.
_LAST: list[tuple[weakref.ref[Problem], frozenset[int], _Lookups]] = []


def _lookups(problem: Problem, eligible: Mapping[int, Sequence[int]]) -> _Lookups:
    modelled = sorted(eligible)
    key = frozenset(modelled)
    if _LAST and _LAST[0][0]() is problem and _LAST[0][1] == key:
        return _LAST[0][2]
    d = problem.durations
    c = problem.costs if problem.costs is not None else d
    cols = list(zip(*c, strict=True))
    d_col = list(zip(*d, strict=True)) if c is not d else cols
    where = [problem.stops[j].location for j in modelled]
    near: dict[int, list[int]] = {}
    order = range(len(modelled))
    for j, loc in zip(modelled, where, strict=True):
        row = d[loc]
        far = [row[x] for x in where]
        # Stable, like sorting the modelled stops by distance: ties keep their order.
        nearest = sorted(order, key=far.__getitem__)[1 : _NEAR + 1]
        near[j] = [modelled[x] for x in nearest]
    found = _Lookups(cols, d_col, near)
    _LAST[:] = [(weakref.ref(problem, lambda _: _LAST.clear()), key, found)]
    return found


def _latest(windows: Sequence[tuple[int, int]], t: int) -> int:
    if not windows:
        return t
    for a, b in reversed(windows):
        if a <= t:
            return min(b, t)
    return -_INF


def _after_breaks(
    windows: Sequence[tuple[int, int]], breaks: set[Break]
) -> tuple[tuple[int, int], ...]:
    """Windows tightened so that a visit still fits if a break is taken before it.

    A visit that can start after a break's earliest start may be pushed back by the
    break: its latest start is moved earlier by the duration (not below that earliest
    start, where it certainly precedes the break).
    """
    out = list(windows)
    for brk in breaks:
        opens = brk.window[0]
        out = [(a, b if b <= opens else max(a, opens, b - brk.duration)) for a, b in out]
    return tuple(out)


def _through_break(brk: Break, depart: int, travel: int) -> int:
    """Arrival after ``travel`` with ``brk`` taken on the way (or while waiting), or _INF."""
    if depart >= _INF // 2:
        return _INF
    (a, b), length = brk.window, brk.duration
    begin = max(depart, a)
    if begin > b:
        return _INF
    return max(depart + travel + length, begin + length)


def _latest_through_break(brk: Break, travel: int, arrive_by: int) -> int:
    """Latest departure that takes ``brk`` on the way and arrives by ``arrive_by``."""
    (a, b), length = brk.window, brk.duration
    if a + length > arrive_by:
        return -_INF
    return min(arrive_by - travel - length, b)


class Plan:
    """Routes with their schedules, for quick insertion tests.

    Parameters
    ----------
    problem
        The problem.
    eligible
        Modelled stop position to the vehicles allowed to serve it.
    penalty
        Stop position to its skip penalty (prize, or the mandatory penalty).
    routes
        Stop positions per vehicle.
    strict_breaks
        Approximate breaks conservatively and cheaply (shorter shift, tightened windows);
        if false, test them exactly with :meth:`breaks_fit` (slower on long routes).
    """

    def __init__(
        self,
        problem: Problem,
        eligible: Mapping[int, Sequence[int]],
        penalty: Mapping[int, int],
        routes: Sequence[Sequence[int]],
        strict_breaks: bool = True,
    ) -> None:
        self.p = problem
        self.strict_breaks = strict_breaks
        self.eligible = eligible
        self.penalty = penalty
        self.d = problem.durations
        self.c = problem.costs if problem.costs is not None else problem.durations
        pinned = {sid for v in problem.vehicles for sid in v.pinned}
        self.windows = [() if s.id in pinned else s.time_windows for s in problem.stops]
        breaks = {b for v in problem.vehicles for b in v.breaks}
        if breaks and strict_breaks:
            self.windows = [_after_breaks(w, breaks) for w in self.windows]
        self.fixed = [len(v.pinned) for v in problem.vehicles]
        # Breaks are not scheduled here: conservatively, they shorten the shift.
        self.shift_end = [
            v.shift[1] - (sum(b.duration for b in v.breaks) if strict_breaks else 0)
            for v in problem.vehicles
        ]
        self.routes = [list(r) for r in routes]
        self.route_of: dict[int, int] = {}
        lookups = _lookups(problem, eligible)
        self.c_col, self.d_col, self.near = lookups.c_col, lookups.d_col, lookups.near
        signature = {}
        for k, v in enumerate(problem.vehicles):
            signature[k] = (v.start, v.end, v.shift, v.capacity, v.max_stops, v.breaks, v.skills)
        self.signature = signature
        self.early: list[list[int]] = [[] for _ in routes]
        self.late: list[list[int]] = [[] for _ in routes]
        # One break, tested exactly: the earliest start with the break taken before each
        # stop, and the latest starts with the break still to take / already taken.
        self.lunch: list[Break | None] = [
            v.breaks[0] if len(v.breaks) == 1 and not strict_breaks else None
            for v in problem.vehicles
        ]
        self.early_after: list[list[int]] = [[] for _ in routes]
        self.late_before: list[list[int]] = [[] for _ in routes]
        self.late_after: list[list[int]] = [[] for _ in routes]
        self.late_any: list[list[int]] = [[] for _ in routes]
        self.room_before: list[list[int]] = [[] for _ in routes]
        self.late_taken: list[list[int]] = [[] for _ in routes]
        self.dep_taken: list[list[int]] = [[] for _ in routes]
        self.load = [0] * len(routes)
        for k in range(len(routes)):
            self._refresh(k)

    def copy_routes(self) -> list[list[int]]:
        """A copy of the routes."""
        return [list(r) for r in self.routes]

    def _refresh(self, k: int) -> None:
        v, route, stops, d = self.p.vehicles[k], self.routes[k], self.p.stops, self.d
        early = [0] * len(route)
        loc, t = v.start, v.shift[0]
        for pos, i in enumerate(route):
            s = stops[i]
            t = earliest_start(self.windows[i], t + d[loc][s.location])
            early[pos] = t
            t += s.service
            loc = s.location
        late = [0] * len(route)
        nxt = self.shift_end[k]
        nxt_loc = v.end
        for pos in range(len(route) - 1, -1, -1):
            s = stops[route[pos]]
            back = 0 if nxt_loc is None else d[s.location][nxt_loc]
            late[pos] = _latest(self.windows[route[pos]], nxt - back - s.service)
            nxt, nxt_loc = late[pos], s.location
        self.early[k], self.late[k] = early, late
        if self.lunch[k] is not None:
            self._refresh_break(k)
        self.load[k] = sum(stops[i].demand for i in route)
        for i in route:
            self.route_of[i] = k

    def _refresh_break(self, k: int) -> None:
        """Schedules of vehicle ``k``'s route around its single break (see ``_break_fits``).

        Inlined arithmetic (this runs after every change of a route): ``_through_break``
        and ``_latest_through_break`` spelled out.
        """
        v, route, stops, d, windows = (
            self.p.vehicles[k],
            self.routes[k],
            self.p.stops,
            self.d,
            self.windows,
        )
        brk = self.lunch[k]
        assert brk is not None
        (opens, closes), length = brk.window, brk.duration
        half = _INF // 2
        early = self.early[k]
        n = len(route)
        after = [_INF] * n  # earliest start, break taken before the stop
        taken = [v.shift[0] + length]  # lower bound of the departure with the break taken
        loc, dep0, dep1 = v.start, v.shift[0], _INF
        for pos, i in enumerate(route):
            s = stops[i]
            travel = d[loc][s.location]
            arr = dep1 + travel
            if dep0 < half:
                begin = dep0 if dep0 > opens else opens
                if begin <= closes:
                    through = max(dep0 + travel, begin) + length
                    if through < arr:
                        arr = through
            if arr < half:
                w = windows[i]
                t = earliest_start(w, arr) if w else arr
                after[pos] = t if t < half else _INF
            service = s.service
            dep0 = early[pos] + service if early[pos] < half else _INF
            dep1 = after[pos] + service if after[pos] < _INF else _INF
            taken.append(min(dep1, dep0 + length))
            loc = s.location
        before = [-_INF] * n  # latest start, break still to take after the stop
        done = [-_INF] * n  # latest start, break already taken
        end_before, end_done = min(v.shift[1], closes), v.shift[1]
        nxt_before, nxt_done = end_before, end_done
        nxt_loc = v.end
        for pos in range(n - 1, -1, -1):
            i = route[pos]
            s = stops[i]
            travel = 0 if nxt_loc is None else d[s.location][nxt_loc]
            dep = nxt_before - travel
            if opens + length <= nxt_done:
                via = nxt_done - travel - length
                via = via if via < closes else closes
                if via > dep:
                    dep = via
            w = windows[i]
            if w:
                before[pos] = _latest(w, dep - s.service)
                done[pos] = _latest(w, nxt_done - travel - s.service)
            else:
                before[pos] = dep - s.service
                done[pos] = nxt_done - travel - s.service
            nxt_before, nxt_done, nxt_loc = before[pos], done[pos], s.location
        self.early_after[k], self.late_before[k], self.late_after[k] = after, before, done
        # Whatever the break does, the next stop must start by the later of the two.
        self.late_any[k] = [max(a, b) for a, b in zip(before, done, strict=True)]
        # Quick necessary conditions before _break_fits, per insertion place (the end
        # included): arriving at the next place with the break still to take, or with it
        # taken (departing no earlier than ``dep_taken``).
        self.room_before[k] = [
            max(b, a - length)
            for b, a in zip([*before, end_before], [*done, end_done], strict=True)
        ]
        self.late_taken[k] = [*done, end_done]
        self.dep_taken[k] = taken

    def _break_fits(self, k: int, i: int, pos: int, dep0: int, start0: int) -> bool:
        """Exact O(1) test of stop ``i`` at ``pos`` of vehicle ``k`` with its one break.

        ``dep0`` is the departure from the previous place with the break not yet taken,
        ``start0`` the earliest start of ``i`` then. The break lies in one gap (travel or
        wait) of the route, or after its end (OR-Tools' semantics, as in ``breaks_fit``).
        """
        brk = self.lunch[k]
        assert brk is not None
        p, d, stops = self.p, self.d, self.p.stops
        v, route = p.vehicles[k], self.routes[k]
        s = stops[i]
        if pos == 0:
            prev_loc, dep1 = v.start, _INF
        else:
            prev = stops[route[pos - 1]]
            prev_loc = prev.location
            t = self.early_after[k][pos - 1]
            dep1 = t + prev.service if t < _INF else _INF
        travel = d[prev_loc][s.location]
        arr1 = min(dep1 + travel, _through_break(brk, dep0, travel))
        start1 = earliest_start(self.windows[i], arr1) if arr1 < _INF else _INF
        if pos < len(route):
            nxt_loc: int | None = stops[route[pos]].location
            late_before, late_done = self.late_before[k][pos], self.late_after[k][pos]
        else:
            nxt_loc = v.end
            late_before, late_done = min(v.shift[1], brk.window[1]), v.shift[1]
        onward = 0 if nxt_loc is None else d[s.location][nxt_loc]
        if start1 < _INF // 2 and start1 + s.service + onward <= late_done:
            return True
        if start0 >= _INF // 2:
            return False
        dep = start0 + s.service
        return dep + onward <= late_before or dep <= _latest_through_break(brk, onward, late_done)

    def set_routes(self, routes: Sequence[Sequence[int]]) -> None:
        """Replace the routes (only the changed ones are recomputed)."""
        for k, route in enumerate(routes):
            if self.routes[k] != list(route):
                self.routes[k] = list(route)
                self._refresh(k)

    def breaks_fit(self, k: int, route: Sequence[int]) -> bool:
        """Exact-enough test of ``route`` for vehicle ``k`` with its breaks.

        OR-Tools' semantics: a break lies in a gap between visits (travelling or waiting),
        before the first visit, or after the end; never during a visit. Dynamic programme
        over the number of breaks taken (in window order), earliest time per state.
        """
        v, stops, d = self.p.vehicles[k], self.p.stops, self.d
        brks = sorted(v.breaks, key=lambda b: b.window)
        nb = len(brks)
        dep = [v.shift[0]] + [_INF] * nb
        loc = v.start

        def gap(dep: list[int], travel: int) -> list[int]:
            arr = [t + travel if t < _INF else _INF for t in dep]
            dep = list(dep)
            for j in range(nb):
                if dep[j] >= _INF:
                    continue
                (a, b), dur = brks[j].window, brks[j].duration
                begin = max(dep[j], a)
                if begin <= b:
                    arr[j + 1] = min(arr[j + 1], max(dep[j] + travel + dur, begin + dur))
                    dep[j + 1] = min(dep[j + 1], begin + dur)
            return arr

        for i in route:
            s = stops[i]
            arr = gap(dep, d[loc][s.location])
            dep = [
                earliest_start(self.windows[i], t) + s.service if t < _INF else _INF for t in arr
            ]
            dep = [t if t < _INF // 2 else _INF for t in dep]
            loc = s.location
        arr = gap(dep, 0 if v.end is None else d[loc][v.end])
        for j in range(nb + 1):
            t = arr[j]
            if t > v.shift[1]:
                continue
            for r in range(j, nb):  # the remaining breaks after the end
                begin = max(t, brks[r].window[0])
                if begin > brks[r].window[1]:
                    break
                t = begin + brks[r].duration
            else:
                return True
        return False

    def arc_cost(self) -> int:
        """Sum of arc costs of all routes."""
        total = 0
        stops, c = self.p.stops, self.c
        for k, route in enumerate(self.routes):
            if not route:
                continue
            v = self.p.vehicles[k]
            loc = v.start
            for i in route:
                total += c[loc][stops[i].location]
                loc = stops[i].location
            if v.end is not None:
                total += c[loc][v.end]
        return total

    def objective(self) -> int:
        """Arc costs plus the penalties of the modelled stops not routed."""
        routed = {i for r in self.routes for i in r}
        return self.arc_cost() + sum(p for i, p in self.penalty.items() if i not in routed)

    def remove(self, stops: set[int]) -> None:
        """Remove ``stops`` from the routes (pinned prefixes are never touched)."""
        for k, route in enumerate(self.routes):
            if any(i in stops for i in route[self.fixed[k] :]):
                self.routes[k] = route[: self.fixed[k]] + [
                    i for i in route[self.fixed[k] :] if i not in stops
                ]
                for i in stops:
                    if self.route_of.get(i) == k:
                        del self.route_of[i]
                self._refresh(k)

    def best_insertion(self, i: int, rng: random.Random, blink: float) -> tuple[int, int, int]:
        """Cheapest feasible ``(delta cost, vehicle, position)`` for stop ``i``, or delta -1.

        The cost delta is computed first and the time test only for improving places;
        each candidate place is skipped with probability ``blink`` (SISR's blinks).
        """
        p, d, c, stops = self.p, self.d, self.c, self.p.stops
        s = stops[i]
        wins, loc_s, service = self.windows[i], s.location, s.service
        c_to, c_from, d_to, d_from = self.c_col[loc_s], c[loc_s], self.d_col[loc_s], d[loc_s]
        best_delta, best_k, best_pos = _INF, -1, -1
        near = {self.route_of.get(j, -1) for j in self.near.get(i, ())}
        seen_empty: set[tuple[object, ...]] = set()
        for k in self.eligible[i]:
            v = p.vehicles[k]
            route = self.routes[k]
            if len(route) > self.fixed[k] and k not in near and len(near) > 1:
                continue
            if not route:
                if self.signature[k] in seen_empty:
                    continue
                seen_empty.add(self.signature[k])
            if v.capacity is not None and self.load[k] + s.demand > v.capacity:
                continue
            if v.max_stops is not None and len(route) + 1 > v.max_stops:
                continue
            early, windows = self.early[k], self.windows
            late = self.late_any[k] if self.lunch[k] is not None else self.late[k]
            n = len(route)
            end = v.end
            for pos in range(self.fixed[k], n + 1):
                if pos == 0:
                    prev_loc, depart = v.start, v.shift[0]
                else:
                    prev = stops[route[pos - 1]]
                    prev_loc, depart = prev.location, early[pos - 1] + prev.service
                if pos < n:
                    nxt_loc = stops[route[pos]].location
                    delta = c_to[prev_loc] + c_from[nxt_loc] - c[prev_loc][nxt_loc]
                elif end is None:
                    delta = c_to[prev_loc]
                else:
                    delta = c_to[prev_loc] + c_from[end] - (c[prev_loc][end] if n else 0)
                if delta >= best_delta:
                    continue
                t = earliest_start(wins, depart + d_to[prev_loc])
                if t >= _INF:
                    continue
                after = t + service
                if pos < n:
                    if earliest_start(windows[route[pos]], after + d_from[nxt_loc]) > late[pos]:
                        continue
                elif after + (0 if end is None else d_from[end]) > self.shift_end[k]:
                    continue
                if self.lunch[k] is not None:
                    onward = after + (
                        d_from[nxt_loc] if pos < n else 0 if end is None else d_from[end]
                    )
                    if (
                        onward > self.room_before[k][pos]
                        and self.dep_taken[k][pos] + d_to[prev_loc] + onward - t
                        > self.late_taken[k][pos]
                    ) or not self._break_fits(k, i, pos, depart, t):
                        continue
                elif (
                    v.breaks
                    and not self.strict_breaks
                    and not self.breaks_fit(k, [*route[:pos], i, *route[pos:]])
                ):
                    continue
                if blink and rng.random() < blink:
                    continue
                best_delta, best_k, best_pos = delta, k, pos
        return (best_delta, best_k, best_pos) if best_k >= 0 else (-1, -1, -1)

    def fits(self, i: int, k: int, pos: int) -> bool:
        """Whether stop ``i`` fits at ``pos`` of vehicle ``k``'s route (time, breaks only)."""
        stops, d, route, v = self.p.stops, self.d, self.routes[k], self.p.vehicles[k]
        s = stops[i]
        if pos == 0:
            prev_loc, depart = v.start, v.shift[0]
        else:
            prev = stops[route[pos - 1]]
            prev_loc, depart = prev.location, self.early[k][pos - 1] + prev.service
        t = earliest_start(self.windows[i], depart + d[prev_loc][s.location])
        if t >= _INF:
            return False
        after = t + s.service
        if pos < len(route):
            nxt = route[pos]
            onward = after + d[s.location][stops[nxt].location]
            if earliest_start(self.windows[nxt], onward) > self.late[k][pos]:
                return False
        elif after + (0 if v.end is None else d[s.location][v.end]) > self.shift_end[k]:
            return False
        if self.lunch[k] is not None:
            return self._break_fits(k, i, pos, depart, t)
        return not (v.breaks and not self.strict_breaks) or self.breaks_fit(
            k, [*route[:pos], i, *route[pos:]]
        )

    def insert(self, i: int, k: int, pos: int) -> None:
        """Insert stop ``i`` in vehicle ``k``'s route at ``pos``."""
        self.routes[k].insert(pos, i)
        self._refresh(k)

    def recreate(self, stops: Sequence[int], rng: random.Random, blink: float = 0.01) -> None:
        """Insert ``stops`` one by one at their cheapest feasible place, if it pays."""
        for i in stops:
            delta, k, pos = self.best_insertion(i, rng, blink)
            if k >= 0 and delta < self.penalty[i]:
                self.insert(i, k, pos)
