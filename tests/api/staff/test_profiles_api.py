"""Collector profiles and absences over HTTP: the station's supervisor sets them, the
collector reads their own, bad input is problem+json naming the field and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models import Absence, Role


@pytest.fixture
def crew(factory, client):
    st, other = factory.station(), factory.station()
    col = factory.user(Role.COLLECTOR, st)
    return {
        "col": col,
        "col_h": factory.token(col, client),
        "sup": factory.token(factory.user(Role.SUPERVISOR, st), client),
        "sup_o": factory.token(factory.user(Role.SUPERVISOR, other), client),
    }


def test_supervisor_sets_the_profile_and_the_collector_reads_it(crew, client):
    """Home, end place, travel mode, shift, skills and day cap round-trip."""
    url = f"/api/users/{crew['col'].id}/profile"
    body = {
        "home": {"lon": 110.29, "lat": 34.15, "system": "wgs84"},
        "starts_at_home": True,
        "ends_at_home": False,
        "travel_mode": "car",
        "shift_start": "07:30:00",
        "shift_end": "16:30:00",
        "break_start": "11:30:00",
        "skills": ["qr_payment", "disconnection_notice"],
        "day_cap": 25,
    }
    resp = client.patch(url, json=body, headers=crew["sup"])
    assert resp.status_code == 200, resp.json
    mine = client.get(url, headers=crew["col_h"]).json
    assert mine["travel_mode"] == "car" and mine["skills"] == ["disconnection_notice", "qr_payment"]
    assert mine["ends_at_home"] is False and mine["day_cap"] == 25
    assert abs(mine["home"]["lon"] - 110.29) < 1e-9
    assert client.patch(url, json={"day_cap": 3}, headers=crew["col_h"]).status_code == 403
    assert client.patch(url, json={"day_cap": 3}, headers=crew["sup_o"]).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"shift_start": "18:00:00"}, "shift_end"),
        ({"break_start": "06:00:00"}, "break_start"),
        ({"skills": ["fly"]}, "skills"),
        ({"day_cap": 0}, "day_cap"),
        ({"home": {"lon": 116.4, "lat": 39.9, "system": "wgs84"}}, "home"),
        ({"starts_at_home": True}, "home"),
    ],
)
def test_bad_profile_is_refused(crew, client, body, field):
    """A shift ending before it starts, an unknown skill, a home in another province: 422."""
    url = f"/api/users/{crew['col'].id}/profile"
    before = client.get(url, headers=crew["sup"]).json
    resp = client.patch(url, json=body, headers=crew["sup"])
    assert resp.status_code == 422 and field in resp.json["errors"]["json"], resp.json
    assert client.get(url, headers=crew["sup"]).json == before


def test_absences_never_overlap(crew, client, session):
    """A second absence overlapping the first is refused naming it; a later one is fine;
    an absence ending before it starts is refused; a mistaken one is deleted."""
    url = f"/api/users/{crew['col'].id}/absences"
    first = {"kind": "leave", "first_day": "2027-01-20", "last_day": "2027-02-05"}
    created = client.post(url, json=first, headers=crew["sup"])
    assert created.status_code == 201, created.json
    clash = client.post(
        url,
        json={"kind": "sick", "first_day": "2027-02-05", "last_day": "2027-02-07"},
        headers=crew["sup"],
    )
    assert clash.status_code == 422 and "Overlaps" in str(clash.json["errors"])
    backwards = client.post(
        url,
        json={"kind": "training", "first_day": "2027-03-05", "last_day": "2027-03-01"},
        headers=crew["sup"],
    )
    assert backwards.status_code == 422 and "last_day" in backwards.json["errors"]["json"]
    later = client.post(
        url,
        json={"kind": "training", "first_day": "2027-02-06", "last_day": "2027-02-06"},
        headers=crew["sup"],
    )
    assert later.status_code == 201
    assert [a["kind"] for a in client.get(url, headers=crew["col_h"]).json] == ["leave", "training"]
    gone = client.delete(f"{url}/{later.json['id']}", headers=crew["sup"])
    assert gone.status_code == 204
    assert session.scalar(select(func.count()).select_from(Absence)) == 1


def test_the_database_refuses_overlapping_absences_too(crew, session):
    """The exclusion constraint holds even past the service's check."""
    import datetime as dt

    from sqlalchemy.exc import IntegrityError

    from core.models import AbsenceKind

    day = dt.date(2027, 5, 1)
    session.add(
        Absence(user_id=crew["col"].id, kind=AbsenceKind.LEAVE, first_day=day, last_day=day)
    )
    session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(
            Absence(user_id=crew["col"].id, kind=AbsenceKind.SICK, first_day=day, last_day=day)
        )
        session.flush()
