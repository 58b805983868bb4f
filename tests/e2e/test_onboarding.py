"""The walk-through of docs/onboarding.md over HTTP, from an empty database (no demo seed):
the first admin from the CLI, then the station, its staff, collector profiles and an
absence, the accounts, the month's bills (twice, then re-billed), territories, a plan and
its publication, with the sample files of docs/samples/."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Account, Bill, Station, User
from core.planning.runner import run_plan_job
from tests.support.plans import FAST, TZ, local_today
from tests.support.scratch import scratch_app

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
PASSWORD = "石门-first-day-2026"


def _json(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def _bearer(client, username: str, password: str) -> dict[str, str]:
    resp = client.post("/api/auth/login", json={"username": username, "password": password})
    assert resp.status_code == 200, resp.json
    return {"Authorization": f"Bearer {resp.json['access_token']}"}


def _upload(client, url: str, headers, name: str, **form: str):
    data = {**form, "file": (io.BytesIO((SAMPLES / name).read_bytes()), name)}
    return client.post(url, data=data, content_type="multipart/form-data", headers=headers)


def _staff(client, headers, username, role, station_id) -> tuple[int, str]:
    resp = client.post(
        "/api/users",
        json={
            "username": username,
            "display_name": username,
            "role": role,
            "station_ids": [station_id],
        },
        headers=headers,
    )
    assert resp.status_code == 201, resp.json
    token = resp.json["password_token"]
    done = client.post("/api/auth/password/reset", json={"token": token, "new_password": PASSWORD})
    assert done.status_code == 204, done.json
    return resp.json["id"], username


@pytest.fixture
def empty_app() -> Iterator[Any]:
    with scratch_app("onboarding") as app:
        yield app


def test_a_station_starts_from_an_empty_database(empty_app):
    """Empty database -> station, staff, accounts, bills, territories -> a published plan."""
    app, client = empty_app, empty_app.test_client()
    with Session(app.extensions["db_engine"]) as session:
        for model in (Station, User, Account, Bill):
            assert session.scalar(select(func.count()).select_from(model)) == 0
    # 1. The first admin, from the command line, changes the password at first login.
    cli = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--username",
            "county-admin",
            "--password",
            "temporary-first-1",
            "--role",
            "admin",
            "--temporary",
        ]
    )
    assert cli.exit_code == 0, cli.output
    temp = _bearer(client, "county-admin", "temporary-first-1")
    assert client.get("/api/stations", headers=temp).status_code == 403
    changed = client.post(
        "/api/auth/password",
        json={"current_password": "temporary-first-1", "new_password": PASSWORD},
        headers=temp,
    )
    assert changed.status_code == 204
    admin = _bearer(client, "county-admin", PASSWORD)
    # 2. The station.
    created = client.post("/api/stations", json=_json("station.json"), headers=admin)
    assert created.status_code == 201, created.json
    st = created.json["id"]
    # 3. Staff: the admin makes the supervisor, the supervisor the collectors.
    _staff(client, admin, "sm-supervisor", "supervisor", st)
    sup = _bearer(client, "sm-supervisor", PASSWORD)
    c1, _ = _staff(client, sup, "sm-collector-1", "collector", st)
    c2, _ = _staff(client, sup, "sm-collector-2", "collector", st)
    for cid, home in ((c1, (110.27, 34.13)), (c2, (110.33, 34.15))):
        profile = client.patch(
            f"/api/users/{cid}/profile",
            json={
                "home": {"lon": home[0], "lat": home[1], "system": "wgs84"},
                "starts_at_home": True,
                "travel_mode": "motorbike",
                "skills": ["qr_payment"],
                "day_cap": 30,
            },
            headers=sup,
        )
        assert profile.status_code == 200, profile.json
    # 4. Accounts: a dry run, then the import.
    dry = _upload(client, "/api/accounts/import", sup, "accounts.csv", station_id=str(st))
    assert dry.status_code == 200 and dry.json["error_count"] == 0, dry.json
    real = _upload(
        client, "/api/accounts/import", sup, "accounts.csv", station_id=str(st), dry_run="false"
    )
    assert real.status_code == 200 and real.json["created"] == 16, real.json
    # 4b. The village gazetteer, then accounts without coordinates: approximate.
    villages = _upload(
        client, "/api/villages/import", sup, "villages.csv", station_id=str(st), dry_run="false"
    )
    assert villages.status_code == 200 and villages.json["created"] == 3, villages.json
    rough = _upload(
        client,
        "/api/accounts/import",
        sup,
        "accounts_no_coordinates.csv",
        station_id=str(st),
        dry_run="false",
    )
    assert rough.status_code == 200 and rough.json["approximate"] == 3, rough.json
    # 5. The month's bills: twice (nothing added the second time), then a re-billed file.
    bills = _upload(
        client, "/api/bills/import", sup, "bills_2026-11.csv", station_id=str(st), dry_run="false"
    )
    assert bills.status_code == 200 and bills.json["created"] == 32, bills.json
    again = _upload(
        client, "/api/bills/import", sup, "bills_2026-11.csv", station_id=str(st), dry_run="false"
    )
    assert (again.json["created"], again.json["unchanged"]) == (0, 32)
    rebilled = _upload(
        client,
        "/api/bills/import",
        sup,
        "bills_2026-11_rebilled.csv",
        station_id=str(st),
        dry_run="false",
    )
    assert rebilled.json["rebilled"] == 1, rebilled.json
    village_bill = _upload(
        client,
        "/api/bills/import",
        sup,
        "bills_2026-11_village.csv",
        station_id=str(st),
        dry_run="false",
    )
    assert village_bill.json["created"] == 1, village_bill.json
    # 6. Territories, each with its collector.
    for name, cid in (("territory_west.json", c1), ("territory_east.json", c2)):
        terr = client.post(
            "/api/territories", json={**_json(name), "collector_ids": [cid]}, headers=sup
        )
        assert terr.status_code == 201, terr.json
    # 7. Collector 2 is on leave today: the plan leaves them out and says so.
    today = local_today()
    leave = client.post(
        f"/api/users/{c2}/absences",
        json={"kind": "leave", "first_day": today.isoformat(), "last_day": today.isoformat()},
        headers=sup,
    )
    assert leave.status_code == 201
    # 8. Plan today (as at 07:00), run the job, publish.
    job = client.post(
        f"/api/stations/{st}/plans", json={"date": today.isoformat(), "time_limit": 1}, headers=sup
    )
    assert job.status_code == 202, job.json
    now = dt.datetime.combine(today, dt.time(7), TZ)
    assert (
        run_plan_job(app.extensions["db_sessionmaker"], uuid.UUID(job.json["id"]), FAST, now=now)
        == "done"
    )
    plan_id = client.get(f"/api/jobs/{job.json['id']}", headers=sup).json["result"]["plan_id"]
    published = client.post(f"/api/plans/{plan_id}/publish", headers=sup)
    assert published.status_code == 200, published.json
    plan = client.get(f"/api/plans/{plan_id}", headers=sup).json
    routes = {r["collector_id"]: r for r in plan["routes"]}
    assert routes[c1]["stops"], plan["summary"]
    assert c2 not in routes or not routes[c2]["stops"]
    assert [a["collector_id"] for a in plan["summary"]["absent"]] == [c2]
    reasons = {u["reason"] for u in plan["summary"]["unassigned"]}
    assert "collector_absent" in reasons
    # The collector logs in and finds the day's route.
    mine = client.get("/api/me/route", headers=_bearer(client, "sm-collector-1", PASSWORD))
    assert mine.status_code == 200 and mine.json["stops"], mine.json
    # The approximate account is planned with the wider service time, and says so.
    rough_stop = next(s for s in mine.json["stops"] if s["account"]["number"] == "SM000017")
    assert rough_stop["account"]["location_quality"] == "approximate"
    assert rough_stop["explain"]["location_quality"] == "approximate"
    assert rough_stop["explain"]["service_note"]
