"""A two-station world for the scoreboard tests: every role, and one of each object.

Station A holds the objects the requests aim at (owned by collector ``col``); station B is
the "other party". Names and phones are distinctive so a leak is easy to spot in a body.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Any

from core.models import Category, Role
from core.planning.runner import run_plan_job
from tests.support.plans import EAST, FAST, WEST, local_today, overdue_bill

#: The roles of the matrix, in column order.
ROLES = ("anon", "col", "col_t", "col_s", "sup", "sup_o", "admin")
COLLECTED = "2026-04-09T10:00:00+08:00"
GROUP_CODE = "SBGROUP01"


@dataclass
class World:
    station_a: Any
    station_b: Any
    users: dict[str, Any]
    accounts: dict[str, Any]
    territories: dict[str, Any]
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)
    payment_id: str = ""
    quarantine_id: str = ""
    plan_id: int = 0
    draft_id: int = 0
    route_id: int = 0
    job_id: str = ""
    plan_date: dt.date = field(default_factory=lambda: local_today() + dt.timedelta(days=1))
    #: Strings each party owns; a role not entitled to the party must never receive them.
    markers: dict[str, list[str]] = field(default_factory=dict)

    def auth(self, role: str, kind: str = "access") -> dict[str, str]:
        if role == "anon":
            return {}
        return {"Authorization": f"Bearer {self.tokens[role][kind]}"}


def _login(client: Any, user: Any) -> dict[str, str]:
    from tests.factories import PASSWORD

    resp = client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
    assert resp.status_code == 200, resp.json
    return {"access": resp.json["access_token"], "refresh": resp.json["refresh_token"]}


def build_world(factory: Any, client: Any) -> World:
    """Seed both stations, log everyone in, then make a payment, a quarantine and a plan."""
    st_a, st_b = factory.station(), factory.station()
    users = {
        "admin": factory.user(Role.ADMIN, display_name="管理员SB"),
        "sup": factory.user(Role.SUPERVISOR, st_a, display_name="甲所长SB"),
        "sup_o": factory.user(Role.SUPERVISOR, st_b, display_name="乙所长SB"),
        "col": factory.user(Role.COLLECTOR, st_a, display_name="甲收费员SB", home=(110.27, 34.13)),
        "col_t": factory.user(
            Role.COLLECTOR, st_a, display_name="甲二收费员SB", home=(110.33, 34.15)
        ),
        "col_s": factory.user(Role.COLLECTOR, st_b, display_name="乙收费员SB"),
    }
    territories = {
        "a": factory.territory(st_a, WEST, users["col"], name="甲西片"),
        "a2": factory.territory(st_a, EAST, users["col_t"], name="甲东片"),
        "b": factory.territory(st_b, WEST, users["col_s"], name="乙片"),
    }

    def acc(station: Any, who: str, terr: str, lonlat: tuple[float, float], tag: str, **kw: Any):
        a = factory.account(
            station,
            users[who],
            lonlat=lonlat,
            territory_id=territories[terr].id,
            number=f"SB{tag}{uuid.uuid4().hex[:8]}",
            name=f"户主{tag}秘",
            address=f"{tag}村秘密路{len(tag)}号",
            phone=f"139{zlib.crc32(tag.encode()) % 10**8:08d}",
            **kw,
        )
        overdue_bill(factory, a, "150.50", days_overdue=40)
        return a

    accounts = {
        "a": acc(st_a, "col", "a", (110.27, 34.13), "甲一"),
        "a_more": acc(st_a, "col", "a", (110.28, 34.14), "甲三"),
        "group": acc(
            st_a,
            "col",
            "a",
            (110.275, 34.135),
            "甲团",
            category=Category.GROUP_MEMBER,
            group_code=GROUP_CODE,
        ),
        "a2": acc(st_a, "col_t", "a2", (110.33, 34.15), "甲二"),
        "b": acc(st_b, "col_s", "b", (110.27, 34.13), "乙一"),
    }
    w = World(st_a, st_b, users, accounts, territories)
    w.tokens = {role: _login(client, users[role]) for role in ROLES if role != "anon"}

    def party(account: Any) -> list[str]:
        return [account.name, account.phone, account.number, account.address]

    w.markers = {
        "acc_a": party(accounts["a"]) + party(accounts["a_more"]) + party(accounts["group"]),
        "acc_a2": party(accounts["a2"]),
        "acc_b": party(accounts["b"]),
        "staff_a": [users["sup"].display_name, users["col"].display_name],
        "staff_a2": [users["col_t"].display_name],
        "staff_b": [users["sup_o"].display_name, users["col_s"].display_name],
    }

    # A payment in col's cash, and a quarantined upload by col_t for col's account.
    w.payment_id = str(uuid.uuid4())
    body = {
        "id": w.payment_id,
        "account_id": accounts["a"].id,
        "amount": "50.00",
        "channel": "field_cash",
        "collected_at": COLLECTED,
        "device_id": "sb-phone",
    }
    resp = client.post("/api/payments", json=body, headers=w.auth("col"))
    assert resp.status_code == 201, resp.json
    w.quarantine_id = str(uuid.uuid4())
    body = {**body, "id": w.quarantine_id, "amount": "20.00"}
    resp = client.post("/api/payments", json=body, headers=w.auth("col_t"))
    assert resp.status_code == 202, resp.json
    return w


def plan_world(w: World, client: Any, app: Any) -> None:
    """Plan station A's day (job run in-process), publish it, and save an edited draft."""
    sup = w.auth("sup")
    resp = client.post(
        f"/api/stations/{w.station_a.id}/plans",
        json={"date": w.plan_date.isoformat(), "time_limit": 1},
        headers=sup,
    )
    assert resp.status_code == 202, resp.json
    w.job_id = resp.json["id"]
    assert run_plan_job(app.extensions["db_sessionmaker"], uuid.UUID(w.job_id), FAST) == "done"
    w.plan_id = client.get(f"/api/jobs/{w.job_id}", headers=sup).json["result"]["plan_id"]
    assert client.post(f"/api/plans/{w.plan_id}/publish", headers=sup).status_code == 200
    plan = client.get(f"/api/plans/{w.plan_id}", headers=sup).json
    routes = {r["collector_id"]: r for r in plan["routes"]}
    w.route_id = routes[w.users["col"].id]["id"]
    resp = client.put(f"/api/plans/{w.plan_id}/routes", json=edits(plan), headers=sup)
    assert resp.status_code == 201, resp.json
    w.draft_id = resp.json["plan_id"]


def edits(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The plan's routes as a route edit that changes nothing."""
    return [
        {
            "collector_id": r["collector_id"],
            "stops": [{"account_id": s["account_id"]} for s in r["stops"]],
        }
        for r in plan["routes"]
    ]
