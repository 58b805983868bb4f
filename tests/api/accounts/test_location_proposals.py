"""The first visit's GPS fix at an approximate account is a proposed location; a supervisor
accepts it (the account moves, exact, the old point in the history) or rejects it (the next
visit's fix is proposed)."""

from __future__ import annotations

from geoalchemy2.shape import to_shape

from core.models import LocationQuality, Outcome, Role
from tests.factories import point
from tests.support.plans import visit


def _world(factory, session):
    station = factory.station()
    sup = factory.user(Role.SUPERVISOR, station)
    col = factory.user(Role.COLLECTOR, station)
    rough = factory.account(
        station, col, lonlat=(110.30, 34.14), location_quality=LocationQuality.APPROXIMATE
    )
    exact = factory.account(station, col, lonlat=(110.30, 34.14))
    return station, sup, col, rough, exact


def _fix(session, account, col, lonlat, days_ago, accuracy=8.0):
    v = visit(session, account, col, Outcome.NOBODY_HOME, days_ago=days_ago)
    v.fix = point(*lonlat)
    v.fix_accuracy_m = accuracy
    session.flush()
    return v


def test_first_fix_is_proposed_and_accepting_moves_the_account(factory, client, session):
    """Only the approximate account's earliest usable fix is listed (an exact account's,
    a later one and a 300 m-accuracy one are not); accepting moves the account there,
    exact, and the history keeps the village point."""
    _, sup, col, rough, exact = _world(factory, session)
    _fix(session, rough, col, (110.3101, 34.1402), days_ago=9, accuracy=300.0)
    first = _fix(session, rough, col, (110.3050, 34.1410), days_ago=5)
    _fix(session, rough, col, (110.3060, 34.1420), days_ago=2)
    _fix(session, exact, col, (110.3050, 34.1410), days_ago=5)
    headers = factory.token(sup, client)
    listed = client.get("/api/location-proposals", headers=headers)
    assert listed.status_code == 200, listed.json
    (proposal,) = listed.json
    assert proposal["visit_id"] == str(first.id) and proposal["account_id"] == rough.id
    assert proposal["proposed"] == {"lon": 110.305, "lat": 34.141}
    assert proposal["current"] == {"lon": 110.30, "lat": 34.14} and proposal["distance_m"] > 400
    accepted = client.post(f"/api/location-proposals/{first.id}/accept", headers=headers)
    assert accepted.status_code == 200, accepted.json
    session.expire_all()
    assert rough.location_quality is LocationQuality.EXACT
    p = to_shape(rough.location)
    assert (round(p.x, 6), round(p.y, 6)) == (110.305, 34.141)
    account = client.get(f"/api/accounts/{rough.id}", headers=headers).json
    assert account["location_quality"] == "exact"
    hist = client.get(f"/api/accounts/{rough.id}/location-history", headers=headers).json
    assert [(h["decision"], h["from_quality"]) for h in hist] == [("accepted", "approximate")]
    assert hist[0]["from_location"] == {"lon": 110.30, "lat": 34.14}
    assert client.get("/api/location-proposals", headers=headers).json == []
    again = client.post(f"/api/location-proposals/{first.id}/accept", headers=headers)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"


def test_rejecting_keeps_the_point_and_proposes_the_next_fix(factory, client, session):
    """A rejected fix leaves the account approximate where it was; the next visit's fix
    becomes the proposal; a collector may neither list nor decide."""
    _, sup, col, rough, _ = _world(factory, session)
    first = _fix(session, rough, col, (110.3050, 34.1410), days_ago=5)
    second = _fix(session, rough, col, (110.3060, 34.1420), days_ago=2)
    headers = factory.token(sup, client)
    col_headers = factory.token(col, client)
    assert client.get("/api/location-proposals", headers=col_headers).status_code == 403
    denied = client.post(f"/api/location-proposals/{first.id}/accept", headers=col_headers)
    assert denied.status_code == 403
    # Not the pending one (a later fix): 404.
    assert client.post(
        f"/api/location-proposals/{second.id}/accept", headers=headers
    ).status_code == 404
    rejected = client.post(f"/api/location-proposals/{first.id}/reject", headers=headers)
    assert rejected.status_code == 200 and rejected.json["decision"] == "rejected"
    session.expire_all()
    assert rough.location_quality is LocationQuality.APPROXIMATE
    assert round(to_shape(rough.location).x, 6) == 110.30
    (proposal,) = client.get("/api/location-proposals", headers=headers).json
    assert proposal["visit_id"] == str(second.id)


def test_another_stations_supervisor_gets_404(factory, client, session):
    """A supervisor of another station neither sees nor decides the proposal."""
    _, _, col, rough, _ = _world(factory, session)
    first = _fix(session, rough, col, (110.3050, 34.1410), days_ago=5)
    other = factory.user(Role.SUPERVISOR, factory.station())
    headers = factory.token(other, client)
    assert client.get("/api/location-proposals", headers=headers).json == []
    resp = client.post(f"/api/location-proposals/{first.id}/accept", headers=headers)
    assert resp.status_code == 404
