"""authz-matrix: every route x every role x ownership; status and body checked.

Each (method, rule) of the Flask url_map must have a row in ``MATRIX`` (a new route fails
``test_every_route_is_in_the_matrix`` until someone decides who may call it). A row aims
one request at station A's objects, owned by collector ``col``; the expected statuses
are given per role, in the column order of :data:`tests.scoreboard.world.ROLES`:

    anon   no token                       col    the owning collector (station A)
    col_t  collector, same station,       col_s  collector of station B
           another territory              sup    supervisor of station A
    sup_o  supervisor of station B        admin  admin

401 = no token, 403 = wrong role, 404 = not yours (core.scope answers 404 for "not yours"
and "missing" alike). Every request runs in a savepoint rolled back afterwards, so each
role meets the same world. Every error is problem+json, and no body ever carries another
party's customer data (names, phones, numbers, addresses) or staff names.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.scoreboard.world import COLLECTED, GROUP_CODE, ROLES, World, build_world, plan_world
from tests.support.plans import local_today

PUBLIC_200 = "200 200 200 200 200 200 200"
LIST = "401 200 200 200 200 200 200"  # everyone lists their own scope (leaks checked)
OWN = "401 200 404 404 200 404 200"  # col's object: the owner, its station's staff, admins
STAFF = "401 403 403 403 {ok} 404 {ok}"  # staff-only action on a station A object
# A station named in a body or query that is not the caller's: 422 "No such station", the
# same answer as for a station that does not exist.
STAFF_AT = "401 403 403 403 {ok} 422 {ok}"
STAFF_LIST = "401 403 403 403 200 200 200"
EDITOR = "401 404 404 404 {ok} 404 {ok}"  # plan editing: collectors get 404 (plan_edit)
PLANNER = "401 403 403 403 {ok} 404 {ok}"


@dataclass(frozen=True)
class Req:
    path: str
    json: Any = None
    query: dict[str, Any] = field(default_factory=dict)
    data: Any = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    token: str = "access"


Builder = Callable[[World, str, Any], Req]


@dataclass(frozen=True)
class Row:
    expect: str
    build: Builder


def _etag(client: Any, w: World, role: str, path: str) -> dict[str, str]:
    """If-Match with the ETag this role reads (a role that cannot read sends a dummy)."""
    resp = client.get(path, headers=w.auth(role))
    return {"If-Match": resp.headers.get("ETag", '"not-yours"')}


def _uuid() -> str:
    return str(uuid.uuid4())


def _pay(w: World, role: str, _c: Any) -> Req:
    channel = "field_cash" if role.startswith("col") else "counter"
    body = {
        "id": "6f1d7a3e-0000-4000-8000-000000000001",
        "account_id": w.accounts["a"].id,
        "amount": "10.00",
        "channel": channel,
        "collected_at": COLLECTED,
    }
    return Req("/api/payments", json=body)


def _visit(w: World) -> dict[str, Any]:
    return {
        "id": "6f1d7a3e-0000-4000-8000-000000000002",
        "account_id": w.accounts["a"].id,
        "outcome": "nobody_home",
        "device_time": dt.datetime.now(dt.UTC).isoformat(),
    }


def _call(w: World) -> dict[str, Any]:
    return {
        "id": "6f1d7a3e-0000-4000-8000-000000000003",
        "account_id": w.accounts["a"].id,
        "for_date": local_today().isoformat(),
        "outcome": "home_at",
        "home_from": "14:00:00",
        "home_until": "16:00:00",
        "called_at": dt.datetime.now(dt.UTC).isoformat(),
    }


def _csv_accounts(w: World) -> dict[str, Any]:
    rows = (
        "number,name,address,village,category,lon,lat\n"
        "SBIMP0001,新户,新村1号,新村,residential,110.27,34.13\n"
    )
    return {
        "station_id": str(w.station_a.id),
        "dry_run": "true",
        "file": (io.BytesIO(rows.encode()), "accounts.csv"),
    }


def _csv_villages(w: World) -> dict[str, Any]:
    rows = "name,township,lon,lat\n新村,城关镇,110.27,34.13\n"
    return {
        "station_id": str(w.station_a.id),
        "dry_run": "true",
        "file": (io.BytesIO(rows.encode()), "villages.csv"),
    }


def _csv_bills(w: World) -> dict[str, Any]:
    number = w.accounts["a"].number
    rows = f"account_number,period,amount,due_date\n{number},2027-01,10.00,2027-02-10\n"
    return {
        "station_id": str(w.station_a.id),
        "dry_run": "true",
        "file": (io.BytesIO(rows.encode()), "bills.csv"),
    }


def _future() -> str:
    return (local_today() + dt.timedelta(days=30)).isoformat()


_MONEY_WHEN = {"collected_at": COLLECTED}


def _acc(w: World) -> int:
    return int(w.accounts["a"].id)


def _plan_edits(w: World, c: Any) -> list[dict[str, Any]]:
    from tests.scoreboard.world import edits

    plan = c.get(f"/api/plans/{w.draft_id}", headers=w.auth("admin")).json
    return edits(plan)


_TILE_RULE = "/api/tiles/<string(maxlength=32):layer>/<int:z>/<int:x>/<int:y>.mvt"
# Accounts "a" (station A) and "b" (station B) both sit at (110.27, 34.13): tile 14/13210/6537.
_TILE = "/api/tiles/accounts/14/13210/6537.mvt"


def _absence(w: World, c: Any) -> str:
    """The path of an absence of ``col``, recorded by the admin."""
    url = f"/api/users/{w.users['col'].id}/absences"
    body = {"kind": "sick", "first_day": "2027-03-01", "last_day": "2027-03-02"}
    return f"{url}/{c.post(url, json=body, headers=w.auth('admin')).json['id']}"


MATRIX: dict[tuple[str, str], Row] = {
    # --- public -----------------------------------------------------------------------
    ("GET", "/api/health"): Row(PUBLIC_200, lambda w, r, c: Req("/api/health")),
    ("GET", "/api/openapi.json"): Row(PUBLIC_200, lambda w, r, c: Req("/api/openapi.json")),
    ("GET", "/api/docs"): Row(PUBLIC_200, lambda w, r, c: Req("/api/docs")),
    ("GET", "/api/docs/assets/<path:filename>"): Row(
        PUBLIC_200, lambda w, r, c: Req("/api/docs/assets/index.css")
    ),
    # The collector's app: its files are public (the data behind it is not).
    ("GET", "/app/"): Row(PUBLIC_200, lambda w, r, c: Req("/app/")),
    ("GET", "/app/<path:path>"): Row(PUBLIC_200, lambda w, r, c: Req("/app/src/main.js")),
    ("GET", "/app/vendor/<lib>/<path:path>"): Row(
        PUBLIC_200, lambda w, r, c: Req("/app/vendor/maplibre-gl/maplibre-gl.css")
    ),
    # The dashboard page: its files are public (the data behind it is not).
    ("GET", "/dashboard/"): Row(PUBLIC_200, lambda w, r, c: Req("/dashboard/")),
    ("GET", "/dashboard/<path:path>"): Row(
        PUBLIC_200, lambda w, r, c: Req("/dashboard/src/main.js")
    ),
    ("GET", "/dashboard/vendor/<lib>/<path:path>"): Row(
        PUBLIC_200, lambda w, r, c: Req("/dashboard/vendor/maplibre-gl/maplibre-gl.css")
    ),
    # Flask's static route: the app ships no static folder, so it is 404 for everyone.
    ("GET", "/static/<path:filename>"): Row(
        "404 404 404 404 404 404 404", lambda w, r, c: Req("/static/app.js")
    ),
    # --- auth -----------------------------------------------------------------------------
    ("POST", "/api/auth/login"): Row(
        PUBLIC_200,
        lambda w, r, c: Req(
            "/api/auth/login",
            json={"username": w.users["col"].username, "password": "secret-pass-1"},
        ),
    ),
    ("POST", "/api/auth/refresh"): Row(
        LIST, lambda w, r, c: Req("/api/auth/refresh", token="refresh")
    ),
    ("POST", "/api/auth/logout"): Row(
        "401 204 204 204 204 204 204", lambda w, r, c: Req("/api/auth/logout")
    ),
    ("GET", "/api/auth/me"): Row(LIST, lambda w, r, c: Req("/api/auth/me")),
    # --- accounts -------------------------------------------------------------------------
    ("GET", "/api/accounts"): Row(LIST, lambda w, r, c: Req("/api/accounts")),
    ("GET", "/api/accounts.geojson"): Row(LIST, lambda w, r, c: Req("/api/accounts.geojson")),
    ("GET", "/api/accounts/outside-territories"): Row(
        LIST, lambda w, r, c: Req("/api/accounts/outside-territories")
    ),
    ("POST", "/api/accounts"): Row(
        STAFF_AT.format(ok=201),
        lambda w, r, c: Req(
            "/api/accounts",
            json={
                "station_id": w.station_a.id,
                "number": "SBNEW000001",
                "name": "新户",
                "address": "新村1号",
                "village": "新村",
                "category": "residential",
                "location": {"lon": 110.27, "lat": 34.13, "system": "wgs84"},
            },
        ),
    ),
    ("GET", "/api/accounts/<int:account_id>"): Row(
        OWN, lambda w, r, c: Req(f"/api/accounts/{_acc(w)}")
    ),
    ("PATCH", "/api/accounts/<int:account_id>"): Row(
        "401 403 404 404 200 404 200",
        lambda w, r, c: Req(
            f"/api/accounts/{_acc(w)}",
            json={"notes": "改"},
            headers=_etag(c, w, r, f"/api/accounts/{_acc(w)}"),
        ),
    ),
    ("GET", "/api/accounts/<int:account_id>/responsibility"): Row(
        OWN, lambda w, r, c: Req(f"/api/accounts/{_acc(w)}/responsibility")
    ),
    ("GET", "/api/accounts/<int:account_id>/card"): Row(
        OWN, lambda w, r, c: Req(f"/api/accounts/{_acc(w)}/card")
    ),
    ("POST", "/api/accounts/import"): Row(
        STAFF_AT.format(ok=200),
        lambda w, r, c: Req(
            "/api/accounts/import", data=_csv_accounts(w), content_type="multipart/form-data"
        ),
    ),
    ("GET", "/api/villages"): Row(LIST, lambda w, r, c: Req("/api/villages")),
    ("GET", "/api/location-proposals"): Row(
        STAFF_LIST, lambda w, r, c: Req("/api/location-proposals")
    ),
    # No pending proposal in the world: staff meet 404 (tests/api/accounts/
    # test_location_proposals.py decides real ones, another station's included).
    ("POST", "/api/location-proposals/<uuid:visit_id>/accept"): Row(
        "401 403 403 403 404 404 404",
        lambda w, r, c: Req(f"/api/location-proposals/{_uuid()}/accept"),
    ),
    ("POST", "/api/location-proposals/<uuid:visit_id>/reject"): Row(
        "401 403 403 403 404 404 404",
        lambda w, r, c: Req(f"/api/location-proposals/{_uuid()}/reject"),
    ),
    ("GET", "/api/accounts/<int(max=2147483647):account_id>/location-history"): Row(
        OWN, lambda w, r, c: Req(f"/api/accounts/{_acc(w)}/location-history")
    ),
    ("POST", "/api/villages/import"): Row(
        STAFF_AT.format(ok=200),
        lambda w, r, c: Req(
            "/api/villages/import", data=_csv_villages(w), content_type="multipart/form-data"
        ),
    ),
    ("GET", "/api/accounts/<int(max=2147483647):account_id>/deposits"): Row(
        OWN, lambda w, r, c: Req(f"/api/accounts/{_acc(w)}/deposits")
    ),
    ("POST", "/api/accounts/<int(max=2147483647):account_id>/deposits"): Row(
        STAFF.format(ok=201),
        lambda w, r, c: Req(
            f"/api/accounts/{_acc(w)}/deposits",
            json={"id": _uuid(), "amount": "30.00", "channel": "counter", **_MONEY_WHEN},
        ),
    ),
    ("POST", "/api/accounts/<int(max=2147483647):account_id>/deposits/autopay"): Row(
        STAFF.format(ok=200), lambda w, r, c: Req(f"/api/accounts/{_acc(w)}/deposits/autopay")
    ),
    # --- territories, responsibility, workload -----------------------------------------------
    ("GET", "/api/territories"): Row(LIST, lambda w, r, c: Req("/api/territories")),
    ("GET", "/api/territories.geojson"): Row(LIST, lambda w, r, c: Req("/api/territories.geojson")),
    # --- map tiles: an account tile holding both stations' first accounts -----------------
    ("GET", _TILE_RULE): Row(LIST, lambda w, r, c: Req(_TILE)),
    ("GET", "/api/tiles/<string(maxlength=32):layer>.json"): Row(
        LIST, lambda w, r, c: Req("/api/tiles/accounts.json")
    ),
    # --- OGC API - Features -----------------------------------------------------------------
    ("GET", "/api/ogc"): Row(LIST, lambda w, r, c: Req("/api/ogc")),
    ("GET", "/api/ogc/conformance"): Row(LIST, lambda w, r, c: Req("/api/ogc/conformance")),
    ("GET", "/api/ogc/collections"): Row(LIST, lambda w, r, c: Req("/api/ogc/collections")),
    ("GET", "/api/ogc/collections/<string(maxlength=32):collection_id>"): Row(
        LIST, lambda w, r, c: Req("/api/ogc/collections/accounts")
    ),
    ("GET", "/api/ogc/collections/<string(maxlength=32):collection_id>/items"): Row(
        LIST, lambda w, r, c: Req("/api/ogc/collections/accounts/items")
    ),
    (
        "GET",
        "/api/ogc/collections/<string(maxlength=32):collection_id>/items/<string(maxlength=200):fid>",
    ): Row(OWN, lambda w, r, c: Req(f"/api/ogc/collections/accounts/items/{_acc(w)}")),
    ("POST", "/api/territories"): Row(
        STAFF_AT.format(ok=201),
        lambda w, r, c: Req(
            "/api/territories",
            json={
                "station_id": w.station_a.id,
                "name": "新片",
                "area": {
                    "type": "Polygon",
                    "coordinates": [
                        [[110.40, 34.20], [110.41, 34.20], [110.41, 34.21], [110.40, 34.20]]
                    ],
                },
            },
        ),
    ),
    ("GET", "/api/territories/<int:territory_id>"): Row(
        OWN, lambda w, r, c: Req(f"/api/territories/{w.territories['a'].id}")
    ),
    ("PATCH", "/api/territories/<int:territory_id>"): Row(
        "401 403 404 404 200 404 200",
        lambda w, r, c: Req(
            f"/api/territories/{w.territories['a'].id}",
            json={"name": "改名片"},
            headers=_etag(c, w, r, f"/api/territories/{w.territories['a'].id}"),
        ),
    ),
    ("POST", "/api/territories/<int:territory_id>/preview"): Row(
        "401 403 404 404 200 404 200",
        lambda w, r, c: Req(
            f"/api/territories/{w.territories['a'].id}/preview", json={"name": "改名片"}
        ),
    ),
    ("DELETE", "/api/territories/<int:territory_id>"): Row(
        "401 403 404 404 204 404 204",
        lambda w, r, c: Req(
            f"/api/territories/{w.territories['a'].id}",
            headers=_etag(c, w, r, f"/api/territories/{w.territories['a'].id}"),
        ),
    ),
    ("GET", "/api/responsibility"): Row(
        LIST, lambda w, r, c: Req("/api/responsibility", query={"on": local_today().isoformat()})
    ),
    ("POST", "/api/responsibility/reassign"): Row(
        STAFF_AT.format(ok=200),
        lambda w, r, c: Req(
            "/api/responsibility/reassign",
            json={
                "station_id": w.station_a.id,
                "collector_id": w.users["col_t"].id,
                "account_ids": [_acc(w)],
            },
        ),
    ),
    # A collector's workload is their own line; a station out of scope is a bad query (422).
    ("GET", "/api/workload"): Row(
        "401 200 200 422 200 422 200",
        lambda w, r, c: Req("/api/workload", query={"station_id": w.station_a.id}),
    ),
    ("GET", "/api/workload/balance.geojson"): Row(
        STAFF_AT.format(ok=200),
        lambda w, r, c: Req(
            "/api/workload/balance.geojson", query={"station_id": w.station_a.id, "k": 2}
        ),
    ),
    # --- money ------------------------------------------------------------------------------
    # A collector's upload for an account not theirs is quarantined, never refused (202).
    ("POST", "/api/payments"): Row("401 201 202 202 201 202 201", _pay),
    ("POST", "/api/payments/batch"): Row(
        LIST, lambda w, r, c: Req("/api/payments/batch", json={"items": [_pay(w, r, c).json]})
    ),
    ("GET", "/api/payments/<uuid:payment_id>"): Row(
        OWN, lambda w, r, c: Req(f"/api/payments/{w.payment_id}")
    ),
    ("POST", "/api/payments/<uuid:payment_id>/reversal"): Row(
        STAFF.format(ok=201),
        lambda w, r, c: Req(
            f"/api/payments/{w.payment_id}/reversal", json={"id": _uuid(), "reason": "录入错误"}
        ),
    ),
    # Notices come from signed channel clients (/api/channels/notices); by hand: admins.
    # A channel client's signature is the only identity: staff tokens are not enough.
    ("POST", "/api/channels/notices"): Row(
        "401 401 401 401 401 401 401",
        lambda w, r, c: Req(
            "/api/channels/notices",
            json={
                "channel": "bank",
                "channel_txn_id": "SBTXN0002",
                "account_number": w.accounts["a"].number,
                "amount": "12.00",
                "paid_at": COLLECTED,
            },
        ),
    ),
    ("POST", "/api/payments/notifications"): Row(
        "401 403 403 403 403 403 201",
        lambda w, r, c: Req(
            "/api/payments/notifications",
            json={
                "channel": "bank",
                "channel_txn_id": "SBTXN0001",
                "account_number": w.accounts["a"].number,
                "amount": "12.00",
                "paid_at": COLLECTED,
            },
        ),
    ),
    ("POST", "/api/payments/import"): Row(
        STAFF_LIST,
        lambda w, r, c: Req(
            "/api/payments/import",
            query={"channel": "bank"},
            data=(
                "channel_txn_id,account_number,amount,paid_at\n"
                f"SBTXN0002,{w.accounts['a'].number},12.00,{COLLECTED}\n"
            ),
            content_type="text/csv",
        ),
    ),
    ("GET", "/api/arrears"): Row(LIST, lambda w, r, c: Req("/api/arrears")),
    ("GET", "/api/arrears/<int(max=2147483647):account_id>"): Row(
        OWN, lambda w, r, c: Req(f"/api/arrears/{_acc(w)}")
    ),
    ("GET", "/api/money/exceptions"): Row(STAFF_LIST, lambda w, r, c: Req("/api/money/exceptions")),
    ("GET", "/api/money/audit"): Row(STAFF_LIST, lambda w, r, c: Req("/api/money/audit")),
    ("POST", "/api/money/exceptions/<uuid:exception_id>/resolution"): Row(
        STAFF.format(ok=201),
        lambda w, r, c: Req(
            f"/api/money/exceptions/{w.quarantine_id}/resolution",
            json={"action": "returned_to_payer", "note": "cash given back at the door"},
        ),
    ),
    ("POST", "/api/money/quarantine/<uuid:quarantine_id>/release"): Row(
        STAFF.format(ok=201),
        lambda w, r, c: Req(f"/api/money/quarantine/{w.quarantine_id}/release"),
    ),
    ("POST", "/api/money/quarantine/<uuid:quarantine_id>/retarget"): Row(
        STAFF.format(ok=201),
        lambda w, r, c: Req(
            f"/api/money/quarantine/{w.quarantine_id}/retarget",
            json={"account_id": w.accounts["a2"].id, "reason": "the neighbour's account"},
        ),
    ),
    ("GET", "/api/money/rates"): Row(
        LIST, lambda w, r, c: Req("/api/money/rates", query={"station_id": w.station_a.id})
    ),
    ("POST", "/api/money/rates"): Row(
        STAFF.format(ok=201),
        lambda w, r, c: Req(
            "/api/money/rates",
            json={
                "station_id": w.station_a.id,
                "effective_from": _future(),
                "residential": "0.0010",
                "other_current_year": "0.0020",
                "other_earlier_years": "0.0030",
                "minimum": "1.00",
            },
        ),
    ),
    ("GET", "/api/cash/collectors/<int(max=2147483647):collector_id>"): Row(
        OWN, lambda w, r, c: Req(f"/api/cash/collectors/{w.users['col'].id}")
    ),
    ("POST", "/api/cash/handovers"): Row(
        STAFF.format(ok=201),
        lambda w, r, c: Req(
            "/api/cash/handovers",
            json={
                "id": _uuid(),
                "collector_id": w.users["col"].id,
                "amount": "20.00",
                "handed_at": dt.datetime.now(dt.UTC).isoformat(),
            },
        ),
    ),
    ("GET", "/api/cash/reconciliations"): Row(
        LIST,
        lambda w, r, c: Req(
            "/api/cash/reconciliations", query={"business_date": local_today().isoformat()}
        ),
    ),
    ("POST", "/api/cash/reconciliations"): Row(
        STAFF.format(ok=201),
        lambda w, r, c: Req(
            "/api/cash/reconciliations",
            json={
                "id": _uuid(),
                "collector_id": w.users["col"].id,
                "business_date": local_today().isoformat(),
                "counted": "50.00",
            },
        ),
    ),
    ("GET", "/api/groups/<string(maxlength=32):code>"): Row(
        OWN, lambda w, r, c: Req(f"/api/groups/{GROUP_CODE}")
    ),
    ("POST", "/api/groups/<string(maxlength=32):code>/payments"): Row(
        STAFF.format(ok=201),
        lambda w, r, c: Req(
            f"/api/groups/{GROUP_CODE}/payments",
            json={"id": _uuid(), "amount": "40.00", "channel": "counter", **_MONEY_WHEN},
        ),
    ),
    # --- plans, jobs, the collector's day -------------------------------------------------
    ("GET", "/api/stations/<int(max=2147483647):station_id>/plans"): Row(
        PLANNER.format(ok=200),
        lambda w, r, c: Req(
            f"/api/stations/{w.station_a.id}/plans", query={"date": w.plan_date.isoformat()}
        ),
    ),
    ("POST", "/api/stations/<int(max=2147483647):station_id>/plans"): Row(
        PLANNER.format(ok=202),
        lambda w, r, c: Req(
            f"/api/stations/{w.station_a.id}/plans",
            json={"date": w.plan_date.isoformat(), "time_limit": 1},
        ),
    ),
    ("GET", "/api/plans/<int(max=2147483647):plan_id>"): Row(
        PLANNER.format(ok=200), lambda w, r, c: Req(f"/api/plans/{w.plan_id}")
    ),
    ("POST", "/api/plans/<int(max=2147483647):plan_id>/publish"): Row(
        PLANNER.format(ok=200), lambda w, r, c: Req(f"/api/plans/{w.draft_id}/publish")
    ),
    ("PUT", "/api/plans/<int(max=2147483647):plan_id>/routes"): Row(
        EDITOR.format(ok=201),
        lambda w, r, c: Req(f"/api/plans/{w.draft_id}/routes", json=_plan_edits(w, c)),
    ),
    ("POST", "/api/plans/<int(max=2147483647):plan_id>/check"): Row(
        EDITOR.format(ok=200),
        lambda w, r, c: Req(f"/api/plans/{w.draft_id}/check", json=_plan_edits(w, c)),
    ),
    ("POST", "/api/plans/<int(max=2147483647):plan_id>/reoptimise"): Row(
        EDITOR.format(ok=202),
        lambda w, r, c: Req(f"/api/plans/{w.draft_id}/reoptimise", json={"time_limit": 1}),
    ),
    # The job was submitted by sup: a collector sees only jobs they submitted.
    ("GET", "/api/jobs/<uuid:job_id>"): Row(
        "401 404 404 404 200 404 200", lambda w, r, c: Req(f"/api/jobs/{w.job_id}")
    ),
    ("GET", "/api/routes/<int(max=2147483647):route_id>"): Row(
        OWN, lambda w, r, c: Req(f"/api/routes/{w.route_id}")
    ),
    # "me" routes answer each caller about their own day: col_t has a route of their own.
    ("GET", "/api/me/route"): Row(
        "401 200 200 404 404 404 404",
        lambda w, r, c: Req("/api/me/route", query={"date": w.plan_date.isoformat()}),
    ),
    ("GET", "/api/me/route/pack"): Row(
        "401 200 200 404 404 404 404",
        lambda w, r, c: Req("/api/me/route/pack", query={"date": w.plan_date.isoformat()}),
    ),
    ("POST", "/api/me/route/replan"): Row(
        "401 202 202 404 403 403 403",
        lambda w, r, c: Req(
            "/api/me/route/replan",
            json={"lon": 110.27, "lat": 34.13, "date": w.plan_date.isoformat(), "time_limit": 1},
        ),
    ),
    # --- the supervisor's numbers: collectors see their own route, staff their station -----
    ("GET", "/api/stations/<int(max=2147483647):station_id>/progress"): Row(
        "401 200 200 404 200 404 200",
        lambda w, r, c: Req(
            f"/api/stations/{w.station_a.id}/progress", query={"date": w.plan_date.isoformat()}
        ),
    ),
    ("GET", "/api/kpis/collection"): Row(LIST, lambda w, r, c: Req("/api/kpis/collection")),
    ("GET", "/api/kpis/month-end"): Row(LIST, lambda w, r, c: Req("/api/kpis/month-end")),
    ("GET", "/api/kpis/promises"): Row(LIST, lambda w, r, c: Req("/api/kpis/promises")),
    ("GET", "/api/kpis/field-work"): Row(LIST, lambda w, r, c: Req("/api/kpis/field-work")),
    ("GET", "/api/kpis/ageing"): Row(LIST, lambda w, r, c: Req("/api/kpis/ageing")),
    ("GET", "/api/kpis/stubborn"): Row(LIST, lambda w, r, c: Req("/api/kpis/stubborn")),
    ("GET", "/api/kpis/ranking"): Row(LIST, lambda w, r, c: Req("/api/kpis/ranking")),
    ("GET", "/api/kpis/collector-results"): Row(
        LIST, lambda w, r, c: Req("/api/kpis/collector-results")
    ),
    ("GET", "/api/exports/<string(maxlength=32):table>"): Row(
        LIST, lambda w, r, c: Req("/api/exports/arrears")
    ),
    ("GET", "/api/visits"): Row(LIST, lambda w, r, c: Req("/api/visits")),
    ("GET", "/api/visits.geojson"): Row(LIST, lambda w, r, c: Req("/api/visits.geojson")),
    # --- the phone: visits and sync ----------------------------------------------------------
    ("POST", "/api/visits"): Row(
        "401 201 404 404 403 403 403", lambda w, r, c: Req("/api/visits", json=_visit(w))
    ),
    ("POST", "/api/visits/batch"): Row(
        "401 200 200 200 403 403 403",
        lambda w, r, c: Req("/api/visits/batch", json={"items": [_visit(w)]}),
    ),
    ("GET", "/api/sync"): Row("401 200 200 200 403 403 403", lambda w, r, c: Req("/api/sync")),
    # Receipt blocks: each collector's own device series; staff record no field cash.
    ("GET", "/api/me/receipt-blocks"): Row(
        "401 200 200 200 403 403 403",
        lambda w, r, c: Req("/api/me/receipt-blocks", query={"device_id": "phone-1"}),
    ),
    ("POST", "/api/me/receipt-blocks"): Row(
        "401 201 201 201 403 403 403",
        lambda w, r, c: Req("/api/me/receipt-blocks", json={"device_id": "phone-1"}),
    ),
    # --- calls ahead, the provisional week, the calendar -----------------------------------
    ("POST", "/api/calls"): Row(
        "401 201 404 404 403 403 403", lambda w, r, c: Req("/api/calls", json=_call(w))
    ),
    ("GET", "/api/plans/<int(max=2147483647):plan_id>/calls"): Row(
        PLANNER.format(ok=200), lambda w, r, c: Req(f"/api/plans/{w.plan_id}/calls")
    ),
    ("GET", "/api/plans/<int(max=2147483647):plan_id>/week"): Row(
        PLANNER.format(ok=200), lambda w, r, c: Req(f"/api/plans/{w.plan_id}/week")
    ),
    ("GET", "/api/stations/<int(max=2147483647):station_id>/calendar"): Row(
        PLANNER.format(ok=200), lambda w, r, c: Req(f"/api/stations/{w.station_a.id}/calendar")
    ),
    ("PUT", "/api/stations/<int(max=2147483647):station_id>/calendar"): Row(
        PLANNER.format(ok=200),
        lambda w, r, c: Req(
            f"/api/stations/{w.station_a.id}/calendar",
            json={
                "periods": [
                    {
                        "kind": "festival",
                        "name": "春节",
                        "first_day": "2027-01-23",
                        "last_day": "2027-02-16",
                    }
                ],
                "market_days": [],
            },
        ),
    ),
    # --- stations and staff -------------------------------------------------------------
    ("GET", "/api/stations"): Row(LIST, lambda w, r, c: Req("/api/stations")),
    ("POST", "/api/stations"): Row(
        "401 403 403 403 403 403 201",
        lambda w, r, c: Req(
            "/api/stations",
            json={
                "code": "MX-NEW",
                "name": "新所",
                "county_code": "MX",
                "county_name": "新县",
                "depot": {"lon": 110.3, "lat": 34.2, "system": "wgs84"},
            },
        ),
    ),
    ("GET", "/api/stations/<int(max=2147483647):station_id>"): Row(
        "401 200 200 404 200 404 200", lambda w, r, c: Req(f"/api/stations/{w.station_a.id}")
    ),
    ("PATCH", "/api/stations/<int(max=2147483647):station_id>"): Row(
        STAFF.format(ok=200),
        lambda w, r, c: Req(f"/api/stations/{w.station_a.id}", json={"working_days": [1, 2, 3]}),
    ),
    ("POST", "/api/stations/<int(max=2147483647):station_id>/close"): Row(
        "401 403 403 403 403 403 200",
        lambda w, r, c: Req(f"/api/stations/{w.station_a.id}/close"),
    ),
    ("GET", "/api/users"): Row(LIST, lambda w, r, c: Req("/api/users")),
    ("POST", "/api/users"): Row(
        STAFF_AT.format(ok=201),
        lambda w, r, c: Req(
            "/api/users",
            json={
                "username": "mx-new-collector",
                "display_name": "新收费员",
                "role": "collector",
                "station_ids": [w.station_a.id],
            },
        ),
    ),
    ("GET", "/api/users/<int(max=2147483647):user_id>"): Row(
        OWN, lambda w, r, c: Req(f"/api/users/{w.users['col'].id}")
    ),
    ("PATCH", "/api/users/<int(max=2147483647):user_id>"): Row(
        STAFF.format(ok=200),
        lambda w, r, c: Req(f"/api/users/{w.users['col'].id}", json={"display_name": "改名"}),
    ),
    ("POST", "/api/users/<int(max=2147483647):user_id>/password-token"): Row(
        STAFF.format(ok=201),
        lambda w, r, c: Req(f"/api/users/{w.users['col'].id}/password-token"),
    ),
    ("POST", "/api/auth/password"): Row(
        "401 204 204 204 204 204 204",
        lambda w, r, c: Req(
            "/api/auth/password",
            json={"current_password": "secret-pass-1", "new_password": "石门-changed-2026"},
        ),
    ),
    # A made-up token: everyone (no login needed) gets the same 422.
    ("POST", "/api/auth/password/reset"): Row(
        "422 422 422 422 422 422 422",
        lambda w, r, c: Req(
            "/api/auth/password/reset",
            json={"token": "not-a-token", "new_password": "石门-changed-2026"},
        ),
    ),
    ("GET", "/api/users/<int(max=2147483647):user_id>/profile"): Row(
        OWN, lambda w, r, c: Req(f"/api/users/{w.users['col'].id}/profile")
    ),
    ("PATCH", "/api/users/<int(max=2147483647):user_id>/profile"): Row(
        "401 403 404 404 200 404 200",
        lambda w, r, c: Req(f"/api/users/{w.users['col'].id}/profile", json={"day_cap": 20}),
    ),
    ("GET", "/api/users/<int(max=2147483647):user_id>/absences"): Row(
        OWN, lambda w, r, c: Req(f"/api/users/{w.users['col'].id}/absences")
    ),
    ("POST", "/api/users/<int(max=2147483647):user_id>/absences"): Row(
        "401 403 404 404 201 404 201",
        lambda w, r, c: Req(
            f"/api/users/{w.users['col'].id}/absences",
            json={"kind": "leave", "first_day": "2027-01-20", "last_day": "2027-01-22"},
        ),
    ),
    (
        "DELETE",
        "/api/users/<int(max=2147483647):user_id>/absences/<int(max=2147483647):absence_id>",
    ): Row("401 403 404 404 204 404 204", lambda w, r, c: Req(_absence(w, c))),
    ("POST", "/api/bills/import"): Row(
        STAFF_AT.format(ok=200),
        lambda w, r, c: Req(
            "/api/bills/import", data=_csv_bills(w), content_type="multipart/form-data"
        ),
    ),
    ("GET", "/api/accounts/<int(max=2147483647):account_id>/bills"): Row(
        OWN, lambda w, r, c: Req(f"/api/accounts/{_acc(w)}/bills")
    ),
}

#: Parties whose data each role must never receive (see World.markers).
FORBIDDEN = {
    "anon": ("acc_a", "acc_a2", "acc_b", "staff_a", "staff_a2", "staff_b"),
    "col": ("acc_a2", "acc_b", "staff_b"),
    "col_t": ("acc_a", "acc_b", "staff_b"),
    "col_s": ("acc_a", "acc_a2", "staff_a", "staff_a2"),
    "sup": ("acc_b", "staff_b"),
    "sup_o": ("acc_a", "acc_a2", "staff_a", "staff_a2"),
    "admin": (),
}
# Bodies that are not JSON by design.
_NOT_JSON = {
    "/api/docs",
    "/api/docs/assets/<path:filename>",
    "/app/",
    "/app/<path:path>",
    "/app/vendor/<lib>/<path:path>",
    _TILE_RULE,
    "/dashboard/",
    "/dashboard/<path:path>",
    "/dashboard/vendor/<lib>/<path:path>",
    "/api/exports/<string(maxlength=32):table>",  # CSV (its text is leak-checked too)
}


def _routes(app: Any) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def test_every_route_is_in_the_matrix(app: Any) -> None:
    """0 unmapped routes: a new route needs a row saying who may call it."""
    routes = _routes(app)
    assert sorted(routes - MATRIX.keys()) == [], "routes missing from MATRIX"
    assert sorted(MATRIX.keys() - routes) == [], "MATRIX rows for routes that no longer exist"


def send(client: Any, method: str, req: Req, headers: dict[str, str]) -> Any:
    return client.open(
        req.path,
        method=method,
        json=req.json,
        query_string=req.query,
        data=req.data,
        content_type=req.content_type,
        headers={**headers, **req.headers},
    )


def _problems(w: World, role: str, rule: str, req: Req, resp: Any, expected: int) -> list[str]:
    out = []
    if resp.status_code != expected:
        out.append(f"status {resp.status_code}, expected {expected}: {resp.get_data(True)[:200]}")
    if resp.status_code >= 400:
        body = resp.get_json(silent=True) or {}
        if resp.mimetype != "application/problem+json":
            out.append(f"error body is {resp.mimetype}, not problem+json")
        elif body.get("status") != resp.status_code or not body.get("type"):
            out.append(f"problem body without matching status/type: {body}")
        body.pop("instance", None)  # echoes the caller's own path
        text = json.dumps(body, ensure_ascii=False)
    elif rule in _NOT_JSON or resp.status_code == 204:
        # Binary bodies (tiles) hold their strings as raw UTF-8 among other bytes.
        text = resp.get_data().decode("utf-8", "replace")
    else:
        text = json.dumps(resp.get_json(), ensure_ascii=False)
    sent = json.dumps([req.path, req.query, req.json, str(req.data)], ensure_ascii=False)
    for party in FORBIDDEN[role]:
        for marker in w.markers.get(party, ()):
            if marker in text and marker not in sent:
                out.append(f"LEAK of {party} data {marker!r}")
    return out


def _markers_are_live(w: World, client: Any) -> None:
    """The leak check looks for strings that real bodies do carry to entitled callers."""
    for role, parties in (("sup", ("acc_a", "acc_a2")), ("admin", ("acc_b",)), ("col", ("acc_a",))):
        text = client.get("/api/accounts", headers=w.auth(role)).get_data(as_text=True)
        for party in parties:
            assert all(m in text for m in w.markers[party]), (role, party)
    me = client.get("/api/auth/me", headers=w.auth("sup_o")).get_data(as_text=True)
    assert w.markers["staff_b"][0] in me


@pytest.mark.slow
def test_authz_matrix(factory: Any, client: Any, app: Any, connection: Any, rung: Any) -> None:
    """Every route x 7 roles: expected status, problem+json errors, 0 leaks."""
    w = build_world(factory, client)
    plan_world(w, client, app)
    _markers_are_live(w, client)
    failures: list[str] = []
    checked = 0
    for (method, rule), row in sorted(MATRIX.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        for role, expected in zip(ROLES, row.expect.split(), strict=True):
            savepoint = connection.begin_nested()
            try:
                req = row.build(w, role, client)
                resp = send(client, method, req, w.auth(role, req.token))
                problems = _problems(w, role, rule, req, resp, int(expected))
                resp.close()
            finally:
                savepoint.rollback()
            checked += 1
            failures += [f"{method} {rule} as {role}: {p}" for p in problems]
    print(f"authz-matrix: {len(MATRIX)} routes x {len(ROLES)} roles = {checked} requests")
    assert not failures, "\n".join(failures)
