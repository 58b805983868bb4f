"""Absent collectors are not planned: a colleague of the territory covers their accounts
(the explain says for whom), or the accounts are listed as collector_absent; a plan request
may override the absence for the day. The day cap and the end place come from the profile."""

from __future__ import annotations

from core.models import Absence, AbsenceKind, Role, Territory
from core.planning import compute_plan
from core.planning.draft import PlanRequest
from tests.support.plans import build_day


def _absent(session, user, day, kind=AbsenceKind.LEAVE):
    session.add(Absence(user_id=user.id, kind=kind, first_day=day, last_day=day))
    session.flush()


def _plan(session, day, **kw):
    return compute_plan(session, PlanRequest(day.station.id, day.plan_date, time_limit=1, **kw))


def _stops(draft):
    return {s.account_id: (r.collector_id, s) for r in draft.routes for s in r.stops}


def test_absent_collectors_accounts_go_to_a_colleague_or_are_listed(factory, session):
    """West is on leave: the helper of the west territory visits west's accounts (explain:
    covering_for west); east is sick with nobody else in the east: collector_absent."""
    day = build_day(factory, per_side=2)
    helper = factory.user(Role.COLLECTOR, day.station, home=(110.27, 34.13))
    west_territory = session.get(Territory, day.accounts["west"][0].territory_id)
    west_territory.collectors.append(helper)
    session.flush()
    _absent(session, day.west, day.plan_date)
    _absent(session, day.east, day.plan_date, AbsenceKind.SICK)
    draft = _plan(session, day)
    stops = _stops(draft)
    for acc in day.accounts["west"]:
        collector, stop = stops[acc.id]
        assert collector == helper.id and stop.explain["covering_for"] == day.west.id
    reasons = {u["account_id"]: u["reason"] for u in draft.summary["unassigned"]}
    assert {reasons[a.id] for a in day.accounts["east"]} == {"collector_absent"}
    assert {a["collector_id"]: a["kind"] for a in draft.summary["absent"]} == {
        day.west.id: "leave",
        day.east.id: "sick",
    }
    assert day.west.id not in {r.collector_id for r in draft.routes}


def test_plan_request_overrides_an_absence_for_the_day(factory, session):
    """include_absent plans the collector despite the absence (and the summary says so)."""
    day = build_day(factory, per_side=2)
    _absent(session, day.east, day.plan_date)
    draft = _plan(session, day, include_absent=frozenset({day.east.id}))
    stops = _stops(draft)
    assert {stops[a.id][0] for a in day.accounts["east"]} == {day.east.id}
    assert draft.summary["absent"] == [] and draft.summary["absence_overrides"] == [day.east.id]


def test_an_absence_on_another_day_changes_nothing(factory, session):
    """An absence ending the day before the plan day does not keep the collector out."""
    day = build_day(factory, per_side=1)
    session.add(
        Absence(
            user_id=day.east.id,
            kind=AbsenceKind.TRAINING,
            first_day=day.plan_date.replace(day=1) if day.plan_date.day > 1 else day.plan_date,
            last_day=day.plan_date.fromordinal(day.plan_date.toordinal() - 1),
        )
    )
    session.flush()
    assert day.east.id in {r.collector_id for r in _plan(session, day).routes}


def test_day_cap_limits_the_stops(factory, session):
    """A profile's day cap of 1 gives the collector at most one stop."""
    day = build_day(factory, per_side=3)
    day.east.profile.day_cap = 1
    session.flush()
    draft = _plan(session, day)
    east = [r for r in draft.routes if r.collector_id == day.east.id]
    assert east and len(east[0].stops) == 1
