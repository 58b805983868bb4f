"""collector_problem: the routing problem the service solves for one collector alone."""

from __future__ import annotations

import pytest

import routing
from core.models import Outcome
from core.planning import collector_problem, compute_plan
from core.planning.draft import PlanRequest
from tests.support.plans import build_day, visit


def test_it_is_the_problem_compute_plan_solves_for_that_collector(factory, session):
    """Same stops, prizes, promises and shift as a one-collector plan; solvable as is."""
    day = build_day(factory, per_side=3)
    promised = day.accounts["west"][1]
    visit(session, promised, day.west, Outcome.PROMISE, hour=15, promise=day.plan_date)
    req = PlanRequest(day.station.id, day.plan_date, time_limit=1)
    problem = collector_problem(session, req, day.west.id)
    draft = compute_plan(
        session,
        PlanRequest(day.station.id, day.plan_date, time_limit=1, collector_ids=(day.west.id,)),
    )
    explained = {f"a{s.account_id}": s.explain for r in draft.routes for s in r.stops}
    assert [v.id for v in problem.vehicles] == [f"c{day.west.id}"]
    assert {s.id for s in problem.stops} == {f"a{a.id}" for a in day.accounts["west"]}
    for s in problem.stops:
        if s.id == f"a{promised.id}":
            assert s.prize is None  # a promise due today is mandatory
        else:
            assert s.prize == explained[s.id]["prize_fen"]
    sol = routing.solve(problem, routing.SolveParams(time_limit=1, seed=0))
    assert routing.check_solution(problem, sol) == []
    assert {x.id for r in sol.routes for x in r.stops} == set(explained)


def test_an_unknown_collector_is_refused(factory, session):
    day = build_day(factory, per_side=1)
    with pytest.raises(LookupError):
        collector_problem(session, PlanRequest(day.station.id, day.plan_date), day.east.id + 999)
