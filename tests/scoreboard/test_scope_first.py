"""Aggregates scope first: arrears, the arrears filters of the account list and workload
read only the caller's bills, payments and allocations, never the county's (issue 16,
item 17). Measured on the plans PostgreSQL runs (tests/support/scans.py)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import text

from core.models import Role
from tests.support.scans import reads

# ANALYZE (fresh statistics for the plans read here) is the tables' owner's.
pytestmark = pytest.mark.as_owner


def _ledger(session: Any, account_ids: list[int]) -> Counter[str]:
    """Twelve monthly bills per account, each paid in part by a counter payment."""
    session.execute(
        text(
            "INSERT INTO bill (account_id, period, amount, due_date)"
            " SELECT a, make_date(2025, m, 1), 100, make_date(2025, m, 10)"
            " FROM unnest(CAST(:ids AS int[])) a, generate_series(1, 12) m"
        ),
        {"ids": account_ids},
    )
    session.execute(
        text(
            "INSERT INTO payment (id, kind, account_id, amount, channel, collected_at)"
            " SELECT gen_random_uuid(), 'payment', b.account_id, 60, 'counter',"
            "        b.due_date + time '09:00'"
            " FROM bill b WHERE b.account_id = ANY(CAST(:ids AS int[]))"
        ),
        {"ids": account_ids},
    )
    session.execute(
        text(
            "INSERT INTO payment_allocation (payment_id, bill_id, principal, late_fee)"
            " SELECT p.id, b.id, 60, 0 FROM payment p"
            " JOIN bill b ON b.account_id = p.account_id"
            "  AND b.due_date + time '09:00' = p.collected_at"
            " WHERE p.account_id = ANY(CAST(:ids AS int[]))"
        ),
        {"ids": account_ids},
    )
    n = 12 * len(account_ids)
    return Counter({"bill": n, "payment": n, "payment_allocation": n})


def _accounts(session: Any, station_id: int, collector_id: int, n: int) -> list[int]:
    """``n`` accounts of ``collector_id`` at the station, around the test base point."""
    return list(
        session.scalars(
            text(
                "INSERT INTO account (station_id, number, name, address, village, category,"
                " location, responsible_id)"
                " SELECT :s, 'SF' || :s || '-' || g, '户' || g, '村' || g, '村', 'residential',"
                " ST_SetSRID(ST_MakePoint(110.1 + g * 1e-4, 34.1), 4326), :c"
                " FROM generate_series(1, :n) g RETURNING id"
            ),
            {"s": station_id, "c": collector_id, "n": n},
        )
    )


@pytest.fixture
def county(field: Any, factory: Any, session: Any) -> dict[str, Counter[str]]:
    """Beside the field's account: a colleague's 10 accounts at its station, and another
    station of 500 accounts; a year of bills and payments each. The ledger rows per scope."""
    colleague = factory.user(Role.COLLECTOR, field.station)
    station = _accounts(session, field.station.id, colleague.id, 10)
    elsewhere = factory.station()
    county = _accounts(session, elsewhere.id, factory.user(Role.COLLECTOR, elsewhere).id, 500)
    own = Counter({"bill": 2})
    colleagues = _ledger(session, station)
    rest = _ledger(session, county)
    session.flush()
    session.execute(text("ANALYZE bill, payment, payment_allocation, account"))
    return {"collector": own, "station": own + colleagues, "county": own + colleagues + rest}


def _within(read: Counter[str], allowed: Counter[str], county: Counter[str]) -> None:
    for table in ("bill", "payment_allocation", "payment"):
        # A request may reach a row a few times (the filter, the page's amounts; the
        # bills and their payments are joined in two places), never the rest of the county.
        assert read[table] <= 6 * allowed[table] < county[table] - allowed[table], (table, read)


@pytest.mark.parametrize(
    "path",
    [
        "/api/arrears?as_of=2026-05-01",
        "/api/arrears?as_of=2026-05-01&stage=visit",
        "/api/accounts?sort=-arrears&limit=50",
        "/api/accounts?arrears_min=1&limit=50",
        "/api/accounts?overdue_days_min=30&limit=50",
    ],
)
def test_a_collectors_aggregates_read_only_their_accounts(
    path: str, client: Any, field: Any, county: Any, connection: Any
) -> None:
    """A collector's arrears list and arrears filters read their own bills, not the county's."""
    resp, read = reads(connection, lambda: client.get(path, headers=field.collector_auth))
    assert resp.status_code == 200, resp.json
    assert [r.get("account_id", r.get("id")) for r in resp.json] == [field.account.id]
    _within(read, county["collector"], county["county"])


def test_a_stations_workload_reads_only_that_station(
    client: Any, field: Any, county: Any, connection: Any
) -> None:
    """A supervisor's workload of their station reads that station's bills, not the county's."""
    path = f"/api/workload?station_id={field.station.id}&as_of=2026-05-01"
    resp, read = reads(connection, lambda: client.get(path, headers=field.supervisor_auth))
    assert resp.status_code == 200, resp.json
    assert sum(w["delinquent"] for w in resp.json) == 11
    _within(read, county["station"], county["county"])


def test_a_supervisors_arrears_list_reads_only_their_station(
    client: Any, field: Any, county: Any, connection: Any
) -> None:
    """A supervisor's arrears list reads their station's bills, not the other station's."""
    resp, read = reads(
        connection,
        lambda: client.get(
            "/api/arrears?as_of=2026-05-01&limit=500", headers=field.supervisor_auth
        ),
    )
    assert resp.status_code == 200, resp.json
    assert len(resp.json) == 11
    _within(read, county["station"], county["county"])
