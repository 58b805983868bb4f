"""Stations: an admin creates and edits them, a supervisor keeps the daily settings; closed,
never deleted; bad input is problem+json with field errors and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models import County, Role, Station

AREA = {
    "type": "Polygon",
    "coordinates": [[[110.0, 34.0], [110.6, 34.0], [110.6, 34.4], [110.0, 34.4], [110.0, 34.0]]],
}


def _body(**kw):
    body = {
        "code": "LN-SM",
        "name": "石门供电所",
        "county_code": "LN",
        "county_name": "国网洛南县供电公司",
        "depot": {"lon": 110.3, "lat": 34.2, "system": "wgs84"},
        "service_area": AREA,
        "working_days": [1, 2, 3, 4, 5, 6],
        "shift_start": "08:30:00",
        "shift_end": "17:00:00",
        "hall_opens": "08:00:00",
        "hall_closes": "18:00:00",
    }
    body.update(kw)
    return body


@pytest.fixture
def admin(factory, client):
    return factory.token(factory.user(Role.ADMIN), client)


def test_admin_creates_a_station_with_its_county(admin, client, session):
    """POST /api/stations creates the station (and its new county) with every setting."""
    resp = client.post("/api/stations", json=_body(), headers=admin)
    assert resp.status_code == 201, resp.json
    st = resp.json
    assert st["code"] == "LN-SM" and st["county_code"] == "LN"
    assert st["working_days"] == [1, 2, 3, 4, 5, 6] and st["shift_start"] == "08:30:00"
    assert st["service_area"]["type"] == "MultiPolygon" and st["closed_at"] is None
    assert session.scalar(select(County.name).where(County.code == "LN")) == "国网洛南县供电公司"
    listed = client.get("/api/stations", headers=admin).json
    assert "LN-SM" in [s["code"] for s in listed]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"shift_start": "18:00:00"}, "shift_end"),
        ({"hall_closes": "07:00:00"}, "hall_closes"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"working_days": [0, 8]}, "working_days"),
        ({"county_code": "NEW", "county_name": None}, "county_name"),
        ({"depot": {"lon": 111.5, "lat": 34.2, "system": "wgs84"}}, "service_area"),
        (
            {"service_area": {"type": "Polygon", "coordinates": [[[110, 34], [111, 35]]]}},
            "service_area",
        ),
        ({"code": "bad code!"}, "code"),
    ],
)
def test_bad_station_input_is_refused_with_field_errors(admin, client, session, change, field):
    """A shift that ends before it starts, an unknown zone, a depot outside the area...:
    422 naming the field, nothing stored."""
    body = _body(**change)
    body = {k: v for k, v in body.items() if v is not None}
    before = session.scalar(select(func.count()).select_from(Station))
    resp = client.post("/api/stations", json=body, headers=admin)
    assert resp.status_code == 422, resp.json
    assert resp.mimetype == "application/problem+json"
    assert field in resp.json["errors"]["json"], resp.json
    assert session.scalar(select(func.count()).select_from(Station)) == before


def test_duplicate_station_code_is_refused(admin, client):
    """A second station with the same code: 422 on code."""
    assert client.post("/api/stations", json=_body(), headers=admin).status_code == 201
    resp = client.post("/api/stations", json=_body(name="另一个"), headers=admin)
    assert resp.status_code == 422 and "code" in resp.json["errors"]["json"]


def test_supervisor_edits_daily_settings_only(factory, client):
    """A station's supervisor changes working days and hall hours, not its name or area;
    another station's supervisor gets 404."""
    st, other = factory.station(), factory.station()
    sup = factory.token(factory.user(Role.SUPERVISOR, st), client)
    sup_o = factory.token(factory.user(Role.SUPERVISOR, other), client)
    ok = client.patch(
        f"/api/stations/{st.id}",
        json={"working_days": [1, 2, 3, 4, 5], "break_minutes": 45},
        headers=sup,
    )
    assert ok.status_code == 200 and ok.json["working_days"] == [1, 2, 3, 4, 5]
    assert (
        client.patch(f"/api/stations/{st.id}", json={"name": "x"}, headers=sup).status_code == 403
    )
    assert (
        client.patch(
            f"/api/stations/{st.id}", json={"break_minutes": 30}, headers=sup_o
        ).status_code
        == 404
    )


def test_accounts_outside_the_drawn_service_area_are_refused(admin, factory, client):
    """With a service area drawn, an account outside it (inside the old radius) is refused."""
    st = client.post("/api/stations", json=_body(), headers=admin).json
    acc = {
        "station_id": st["id"],
        "number": "SM0001",
        "name": "王五",
        "address": "石门村1号",
        "village": "石门村",
        "category": "residential",
    }
    inside = client.post(
        "/api/accounts",
        json={**acc, "location": {"lon": 110.3, "lat": 34.3, "system": "wgs84"}},
        headers=admin,
    )
    assert inside.status_code == 201, inside.json
    outside = client.post(
        "/api/accounts",
        json={
            **acc,
            "number": "SM0002",
            "location": {"lon": 110.3, "lat": 33.95, "system": "wgs84"},
        },
        headers=admin,
    )
    assert outside.status_code == 422 and "service area" in str(outside.json["errors"])


def test_closing_keeps_the_station_and_refuses_a_second_close(admin, factory, client, session):
    """Closing sets closed_at and keeps every row; closing again is 409; no DELETE route."""
    st = factory.station()
    factory.account(st)
    resp = client.post(f"/api/stations/{st.id}/close", headers=admin)
    assert resp.status_code == 200 and resp.json["closed_at"]
    assert client.post(f"/api/stations/{st.id}/close", headers=admin).status_code == 409
    assert client.delete(f"/api/stations/{st.id}", headers=admin).status_code == 405
    assert session.get(Station, st.id) is not None
    acc = {
        "station_id": st.id,
        "number": "CL0001",
        "name": "王五",
        "address": "1号",
        "village": "村",
        "category": "residential",
        "location": {"lon": 110.3, "lat": 34.14, "system": "wgs84"},
    }
    assert client.post("/api/accounts", json=acc, headers=admin).status_code == 409


def test_supervisor_cannot_create_or_close(factory, client):
    """Creating and closing stations are the admin's."""
    st = factory.station()
    sup = factory.token(factory.user(Role.SUPERVISOR, st), client)
    assert client.post("/api/stations", json=_body(), headers=sup).status_code == 403
    assert client.post(f"/api/stations/{st.id}/close", headers=sup).status_code == 403


def test_cli_creates_lists_and_closes_a_station(app, session, tmp_path):
    """`flask stations create|list|close` do the same as the API."""
    import json

    area = tmp_path / "area.geojson"
    area.write_text(json.dumps(AREA))
    run = app.test_cli_runner().invoke
    out = run(
        args=[
            "stations",
            "create",
            "--code",
            "CLI-1",
            "--name",
            "命令行所",
            "--county-code",
            "CLI",
            "--county-name",
            "命令行县",
            "--lon",
            "110.3",
            "--lat",
            "34.2",
            "--area",
            str(area),
        ]
    )
    assert out.exit_code == 0, out.output
    assert "CLI-1" in run(args=["stations", "list"]).output
    bad = run(
        args=[
            "stations",
            "create",
            "--code",
            "CLI-1",
            "--name",
            "x",
            "--county-code",
            "CLI",
            "--lon",
            "110.3",
            "--lat",
            "34.2",
        ]
    )
    assert bad.exit_code != 0 and "already used" in bad.output
    assert run(args=["stations", "close", "CLI-1"]).exit_code == 0
    st = session.scalars(select(Station).where(Station.code == "CLI-1")).one()
    assert st.closed_at is not None
