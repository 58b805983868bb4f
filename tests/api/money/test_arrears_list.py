"""GET /api/arrears: set-based ageing that agrees with amount_due, scoped and filtered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.models import Role
from core.money import amount_due
from core.money.arrears_sql import arrears_by_age


def test_set_based_ageing_agrees_with_amount_due(client: Any, field: Any, session: Any) -> None:
    """After a partial payment the SQL buckets equal the per-account function's."""
    client.post("/api/payments", json=field.payment("130.00"), headers=field.collector_auth)
    for as_of in (dt.date(2026, 4, 9), dt.date(2026, 6, 1), dt.date(2026, 12, 1)):
        sub = arrears_by_age(as_of)
        row = session.execute(select(sub).where(sub.c.account_id == field.account.id)).one()
        due = amount_due(session, field.account.id, as_of)
        b = due.buckets
        assert (row.principal, row.d1_30, row.d31_60, row.d61_90, row.d90_plus) == (
            due.principal,
            b.d1_30,
            b.d31_60,
            b.d61_90,
            b.d90_plus,
        )
        assert (row.oldest_days_overdue, row.stage) == (due.oldest_days_overdue, due.stage.value)


def test_arrears_list_is_scoped_and_filtered_by_stage(
    client: Any, field: Any, factory: Any
) -> None:
    """A collector lists only their own accounts; a stage filter narrows the list."""
    other = factory.account(field.station, factory.user(Role.COLLECTOR, field.station))
    factory.bill(other, dt.date(2026, 1, 1), "50.00", dt.date(2026, 2, 10))
    mine = client.get("/api/arrears?as_of=2026-05-01", headers=field.collector_auth).json
    assert [r["account_id"] for r in mine] == [field.account.id]
    assert mine[0]["principal"] == "180.00" and mine[0]["stage"] == "visit"
    staff = client.get("/api/arrears?as_of=2026-05-01", headers=field.supervisor_auth).json
    assert {r["account_id"] for r in staff} == {field.account.id, other.id}
    visit = client.get(
        "/api/arrears?as_of=2026-05-01&stage=repeated_visit", headers=field.supervisor_auth
    ).json
    assert [(r["account_id"], Decimal(r["d61_90"])) for r in visit] == [(other.id, Decimal(50))]


def test_arrears_list_of_a_day_before_the_account_settled(client: Any, field: Any) -> None:
    """The list pages accounts that may owe from the maintained balances: an account
    settled today still owes on a day before its payment, with its principal then."""
    resp = client.post("/api/payments", json=field.payment("300.00"), headers=field.collector_auth)
    assert resp.status_code == 201, resp.json
    auth = field.supervisor_auth
    before = client.get("/api/arrears?as_of=2026-04-08", headers=auth).json
    assert [(r["account_id"], r["principal"]) for r in before] == [(field.account.id, "180.00")]
    assert client.get("/api/arrears?as_of=2026-05-01", headers=auth).json == []
    page = client.get("/api/arrears?as_of=2026-04-08&limit=1&stage=visit", headers=auth)
    assert page.status_code == 200 and "X-Next-Cursor" not in page.headers
