"""Village gazetteer import, and accounts without coordinates placed at their village's
point (location_quality approximate); a village the gazetteer does not know is reported."""

from __future__ import annotations

import io

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from core.models import Account, LocationQuality, Role, VillagePlace

VILLAGES = "村,乡镇,经度,纬度\n东村,城关镇,110.301,34.141\n西村,城关镇,110.262,34.128\n"


def _post(client, headers, path, text, dry_run, name="file.csv"):
    data = {"file": (io.BytesIO(text.encode()), name), "dry_run": str(dry_run).lower()}
    return client.post(path, data=data, headers=headers, content_type="multipart/form-data")


@pytest.fixture
def team(factory, client):
    st = factory.station()
    sup = factory.user(Role.SUPERVISOR, st)
    return st, factory.token(sup, client)


def _places(session, st):
    return session.scalar(
        select(func.count()).select_from(VillagePlace).where(VillagePlace.station_id == st.id)
    )


def test_gazetteer_dry_run_apply_and_reload_changes_nothing(team, client, session):
    """Chinese headers accepted; the dry run writes nothing; the apply creates; the same
    file again is unchanged; a moved point is reported as moved and applied."""
    st, headers = team
    dry = _post(client, headers, "/api/villages/import", VILLAGES, True)
    assert dry.status_code == 200, dry.json
    assert (dry.json["created"], dry.json["error_count"]) == (2, 0) and _places(session, st) == 0
    assert _post(client, headers, "/api/villages/import", VILLAGES, False).json["created"] == 2
    again = _post(client, headers, "/api/villages/import", VILLAGES, False).json
    assert (again["created"], again["unchanged"], again["moved"]) == (0, 2, 0)
    moved = VILLAGES.replace("110.301", "110.305")
    assert _post(client, headers, "/api/villages/import", moved, False).json["moved"] == 1
    listed = client.get(f"/api/villages?station_id={st.id}", headers=headers).json
    assert {(v["township"], v["name"]) for v in listed} == {("城关镇", "东村"), ("城关镇", "西村")}
    assert next(v for v in listed if v["name"] == "东村")["location"]["lon"] == 110.305


def test_gazetteer_bad_rows_are_reported_and_the_apply_writes_nothing(team, client, session):
    """A missing township, a point outside the station's area and a duplicate are row
    errors; the real run answers 422 problem+json with them and stores no village."""
    st, headers = team
    text = VILLAGES + "南村,,110.3,34.14\n北村,城关镇,0,0\n东村,城关镇,110.3,34.14\n"
    dry = _post(client, headers, "/api/villages/import", text, True).json
    assert {(e["row"], e["field"]) for e in dry["errors"]} == {
        (4, "township"),
        (5, "lon"),
        (6, "name"),
    }
    real = _post(client, headers, "/api/villages/import", text, False)
    assert real.status_code == 422 and real.mimetype == "application/problem+json"
    assert _places(session, st) == 0


def test_accounts_without_coordinates_stand_at_their_village_approximate(team, client, session):
    """Rows without lon/lat are placed at their village's point, approximate; an exact row
    stays exact; a village the gazetteer lacks is a row error in the dry run."""
    st, headers = team
    _post(client, headers, "/api/villages/import", VILLAGES, False)
    accounts = (
        "number,name,address,village,category,lon,lat\n"
        "GZ1,张三,东村1号,东村,居民,,\n"
        "GZ2,李四,西村2号,西村,居民,110.27,34.13\n"
        "GZ3,王五,无名村3号,无名村,居民,,\n"
    )
    dry = _post(client, headers, "/api/accounts/import", accounts, True).json
    assert [(e["row"], e["field"]) for e in dry["errors"]] == [(4, "village")]
    assert "无名村" in dry["errors"][0]["message"] and dry["approximate"] == 1
    fixed = accounts.replace("GZ3,王五,无名村3号,无名村", "GZ3,王五,西村3号,西村")
    real = _post(client, headers, "/api/accounts/import", fixed, False)
    assert real.status_code == 200, real.json
    assert real.json["approximate"] == 2 and real.json["created"] == 3
    got = {
        a.number: (a.location_quality, to_shape(a.location))
        for a in session.scalars(select(Account).where(Account.station_id == st.id))
    }
    quality, point = got["GZ1"]
    assert quality is LocationQuality.APPROXIMATE
    assert (round(point.x, 6), round(point.y, 6)) == (110.301, 34.141)
    assert got["GZ2"][0] is LocationQuality.EXACT
    assert got["GZ3"][0] is LocationQuality.APPROXIMATE


def test_an_existing_account_without_coordinates_keeps_its_point(team, client, session):
    """Upserting a row without lon/lat leaves an existing exact account where it is."""
    st, headers = team
    _post(client, headers, "/api/villages/import", VILLAGES, False)
    first = (
        "number,name,address,village,category,lon,lat\n"
        "GZ9,张三,东村9号,东村,居民,110.28,34.13\n"
    )
    assert _post(client, headers, "/api/accounts/import", first, False).status_code == 200
    again = "number,name,address,village,category\nGZ9,张三,东村9号,东村,居民\n"
    data = {"file": (io.BytesIO(again.encode()), "a.csv"), "dry_run": "false", "mode": "upsert"}
    resp = client.post(
        "/api/accounts/import", data=data, headers=headers, content_type="multipart/form-data"
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["unchanged"] == 1 and resp.json["approximate"] == 0
    account = session.scalars(select(Account).where(Account.number == "GZ9")).one()
    session.refresh(account)
    assert account.location_quality is LocationQuality.EXACT
    assert round(to_shape(account.location).x, 6) == 110.28
