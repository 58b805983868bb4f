"""An account placed at its village's point (location_quality approximate) is planned with a
wider service time, and its stop's explain says so."""

from __future__ import annotations

from core.models import LocationQuality
from core.planning import compute_plan
from core.planning.draft import PlanRequest
from core.planning.valuation import APPROXIMATE_SERVICE_FACTOR
from tests.support.plans import build_day


def test_an_approximate_stop_gets_a_wider_service_time_and_says_so(factory, session):
    """The approximate stop stays twice the plan's service time (departure - eta) and its
    explain carries service_s, location_quality and a note; an exact one keeps the plan's."""
    day = build_day(factory, per_side=2)
    rough, exact = day.accounts["west"]
    rough.location_quality = LocationQuality.APPROXIMATE
    session.flush()
    draft = compute_plan(session, PlanRequest(day.station.id, day.plan_date, time_limit=1))
    stops = {s.account_id: s for r in draft.routes for s in r.stops}
    wide = round(600 * APPROXIMATE_SERVICE_FACTOR)
    a, e = stops[rough.id], stops[exact.id]
    assert a.explain["service_s"] == wide and a.explain["location_quality"] == "approximate"
    assert "approximate" in a.explain["service_note"]
    assert (a.departure - a.eta).total_seconds() == wide
    assert e.explain["service_s"] == 600 and e.explain["location_quality"] == "exact"
    assert e.explain["service_note"] is None
    assert (e.departure - e.eta).total_seconds() == 600
