"""Why each eligible stop left off a plan is off it: insertion tests into the planned routes.

The routes' breaks are fixed where the plan took them (``routing._timeline``), so an
insertion found feasible here is feasible in the plan.
"""

from __future__ import annotations

from collections.abc import Sequence

from routing._timeline import INF, arrive, depart_by, start_after, start_by
from routing.problem import Problem, Stop, Vehicle, stop_index
from routing.reasons import Reason, free_after_pins

__all__ = ["classify_dropped"]


class _RouteTimes:
    """A planned route with its breaks fixed: earliest and latest starts of each node.

    Node 0 is the start (no service), node ``p`` the ``p``-th stop of the route.
    """

    def __init__(
        self, problem: Problem, v: Vehicle, route: Sequence[int], breaks: Sequence[tuple[int, int]]
    ) -> None:
        stops, d = problem.stops, problem.durations
        self.v, self.d, self.route = v, d, route
        self.breaks = sorted((a, a + length) for a, length in breaks)
        self.first = len(v.pinned)
        self.locs = [v.start] + [stops[i].location for i in route]
        self.svc = [0] + [stops[i].service for i in route]
        self.wins = [()] + [
            () if p < self.first else stops[i].time_windows for p, i in enumerate(route)
        ]
        self.load = sum(stops[i].demand for i in route)
        n, locs, svc, wins, brk = len(route), self.locs, self.svc, self.wins, self.breaks
        self.early = [v.shift[0]] * (n + 1)
        for p in range(1, n + 1):
            t = arrive(self.early[p - 1] + svc[p - 1], d[locs[p - 1]][locs[p]], brk)
            self.early[p] = start_after(wins[p], svc[p], t, brk)
        self.late = [0] * (n + 1)
        nxt = self._home_by(locs[n])
        for p in range(n, 0, -1):
            self.late[p] = start_by(wins[p], svc[p], nxt - svc[p], brk)
            nxt = depart_by(self.late[p], d[locs[p - 1]][locs[p]], brk)
        self.late[0] = nxt
        #: Locations of the nodes, then of the end (none for an open end).
        self.path = locs + ([] if v.end is None else [v.end])
        #: Per node: when it is left at the earliest, and the latest start of the next node.
        self.ready = [e + sv for e, sv in zip(self.early, svc, strict=True)]
        self.due = self.late[1:] + [v.shift[1]]

    def _home_by(self, loc: int) -> int:
        """Latest departure from ``loc`` that still ends the route within the shift."""
        v = self.v
        if v.end is None:
            return v.shift[1]
        return depart_by(v.shift[1], self.d[loc][v.end], self.breaks)

    def fits(self, pos: int, s: Stop) -> bool:
        """Whether ``s`` fits in time right after node ``pos``."""
        d, brk = self.d, self.breaks
        t = arrive(self.early[pos] + self.svc[pos], d[self.locs[pos]][s.location], brk)
        start = start_after(s.time_windows, s.service, t, brk)
        if start >= INF:
            return False
        done = start + s.service
        if pos == len(self.route):
            return done <= self._home_by(s.location)
        nxt = pos + 1
        t = arrive(done, d[s.location][self.locs[nxt]], brk)
        return start_after(self.wins[nxt], self.svc[nxt], t, brk) <= self.late[nxt]

    def has_room(self, s: Stop) -> bool:
        """Whether load and stop count allow one more stop ``s``."""
        v = self.v
        if v.capacity is not None and self.load + s.demand > v.capacity:
            return False
        return v.max_stops is None or len(self.route) + 1 <= v.max_stops


def classify_dropped(
    problem: Problem,
    routes: Sequence[Sequence[int]],
    dropped: Sequence[int],
    eligible: dict[int, tuple[int, ...]],
    breaks: Sequence[Sequence[tuple[int, int]]],
) -> dict[int, Reason]:
    """Say why each eligible stop left off the plan is off it.

    Parameters
    ----------
    problem
        The problem.
    routes
        Stop positions per vehicle, in the problem's vehicle order.
    dropped
        Stop positions left out (by the search or by the pre-selection of a big day).
    eligible
        Output of :func:`precheck`.
    breaks
        Per vehicle, ``(start, duration)`` of the breaks the plan took.

    Returns
    -------
    dict
        Stop position to reason: ``search_limit`` if it fits somewhere at a detour below
        its prize (always, for a mandatory stop); else ``not_worth_it`` if its prize is
        also below the detour of serving it alone; else ``capacity`` if only load or
        ``max_stops`` stop a paying insertion; else ``no_room``.
    """
    stops, d = problem.stops, problem.durations
    c = problem.costs if problem.costs is not None else d
    index = stop_index(problem)
    prefixes = [free_after_pins(problem, v, index) for v in problem.vehicles]
    plans = [_RouteTimes(problem, v, routes[k], breaks[k]) for k, v in enumerate(problem.vehicles)]
    out: dict[int, Reason] = {}
    for i in dropped:
        s = stops[i]
        loc = s.location
        limit = INF if s.prize is None else s.prize  # a paying detour is below it
        fits = time_only = False
        alone = INF
        for k in eligible.get(i, ()):
            v, plan, pre = problem.vehicles[k], plans[k], prefixes[k]
            home = 0 if v.end is None else c[loc][v.end] - c[pre.location][v.end]
            alone = min(alone, c[pre.location][loc] + home)
            room = plan.has_room(s)
            path, ready, due = plan.path, plan.ready, plan.due
            from_s = d[loc]
            for pos in range(plan.first, len(plan.route) + 1):
                a = path[pos]
                b = path[pos + 1] if pos + 1 < len(path) else None
                # Necessary in time (breaks and windows only delay): cheap, prunes most.
                back = 0 if b is None else from_s[b]
                if ready[pos] + d[a][loc] + s.service + back > due[pos]:
                    continue
                detour = c[a][loc] if b is None else c[a][loc] + c[loc][b] - c[a][b]
                if detour < limit and plan.fits(pos, s):
                    fits = fits or room
                    time_only = time_only or not room
                    if fits:
                        break
            if fits:
                break
        if fits:
            out[i] = Reason.SEARCH_LIMIT
        elif s.prize is not None and alone >= s.prize:
            out[i] = Reason.NOT_WORTH_IT
        elif time_only:
            out[i] = Reason.CAPACITY
        else:
            out[i] = Reason.NO_ROOM
    return out
