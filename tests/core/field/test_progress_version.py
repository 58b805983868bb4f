"""The progress view's ETag (core.field.progress.progress_version) moves exactly when the
answer can: each thing the view reads, changed alone, gives another digest; nothing
changed gives the same one (the 304 of a repeated poll)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.field.progress import day_progress, progress_day, progress_version
from core.models import Channel, Job, JobStatus, Outcome, Role
from core.planning.replan import REPLAN_KIND
from core.scope import Scope
from tests.support.supervisor_day import D, add_payment, add_visit, at, build_supervisor_day

NOW = at(10, 55)


def _scope(user: Any, station_id: int) -> Scope:
    return Scope(user.id, user.role, frozenset({station_id}))


def _version(session: Any, scope: Scope, station_id: int, now: dt.datetime = NOW) -> str:
    station, day, plan = progress_day(session, scope, station_id, D, now)
    return progress_version(session, scope, station, day, plan, now)


def test_the_digest_moves_with_each_thing_the_view_reads(factory: Any) -> None:
    """Visits, payments through any channel, a reversal, a re-plan request, a passed
    arrival, a renamed collector, a moved stop: each gives a new digest."""
    day = build_supervisor_day(factory)
    session, sid = factory.session, day.station.id
    scope = _scope(day.supervisor, sid)
    seen = [_version(session, scope, sid)]
    assert _version(session, scope, sid) == seen[0]  # nothing changed: the same

    def changed() -> None:
        session.flush()
        version = _version(session, scope, sid)
        assert version not in seen
        seen.append(version)

    add_visit(session, day.accounts["e1"], day.east, Outcome.REFUSED, at(9, 40))
    changed()
    # A visit of the day to an account off every route (off-plan count, position).
    add_visit(session, day.accounts["off"], day.east, Outcome.NOBODY_HOME, at(9, 45))
    changed()
    paid = add_payment(session, day.accounts["e1"], "12.00", Channel.WECHAT, at(9, 50))
    changed()
    # Reversed the next day: the day's money changes.
    add_payment(
        session, day.accounts["e1"], "12.00", Channel.WECHAT, at(8, 0, D + dt.timedelta(1)),
        reverses=paid,
    )  # fmt: skip
    changed()
    session.add(
        Job(
            kind=REPLAN_KIND, status=JobStatus.QUEUED, attempts=0, max_attempts=2,
            payload={"plan_date": D.isoformat(), "replan": {"position": [110.3, 34.1]}},
            station_id=sid, created_by=day.east.id, created_at=at(10, 52),
        )
    )  # fmt: skip
    changed()
    day.east.display_name = "East, renamed"
    changed()
    day.stops["a3"].eta = at(11, 30)
    changed()
    # The same rows, later: a3's 11:30 has passed (one more stop overdue).
    station, _, plan = progress_day(session, scope, sid, D, NOW)
    assert progress_version(session, scope, station, D, plan, at(11, 40)) not in seen
    assert progress_version(session, scope, station, D, plan, at(11, 0)) == seen[-1]


def test_what_the_digest_does_not_read_leaves_it(factory: Any) -> None:
    """Another day's visit and a payment of an account off the routes leave it as it was,
    and so is the answer."""
    day = build_supervisor_day(factory)
    session, sid = factory.session, day.station.id
    scope = _scope(day.supervisor, sid)
    before = _version(session, scope, sid)
    station, _, plan = progress_day(session, scope, sid, D, NOW)
    answer = day_progress(session, scope, station, D, plan, NOW)
    add_visit(session, day.accounts["a3"], day.west, Outcome.PAID, at(9, 0, D + dt.timedelta(1)))
    add_payment(session, day.accounts["off"], "5.00", Channel.ALIPAY, at(9, 5))
    assert _version(session, scope, sid) == before
    assert day_progress(session, scope, station, D, plan, NOW) == answer


def test_each_caller_has_their_own_digest(factory: Any) -> None:
    """A collector's answer (their route) and the supervisor's never share an ETag."""
    day = build_supervisor_day(factory)
    session, sid = factory.session, day.station.id
    sup, east = _scope(day.supervisor, sid), _scope(day.east, sid)
    assert east.role is Role.COLLECTOR
    assert _version(session, sup, sid) != _version(session, east, sid)
