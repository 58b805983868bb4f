"""The scale county (flask demo scale): its shape, and a ledger the readers accept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.money.fees import late_fee
from core.money.invariants import check_ledger
from demo.scale import seed_scale

# flask demo scale loads as the owner (triggers off: session_replication_role).
pytestmark = pytest.mark.as_owner


def test_the_scale_county_has_its_shape_and_arrears(connection: Any) -> None:
    """40 accounts over 2 stations and 4 collectors: each account's collector works at its
    station and the account lies in that collector's territory, a year of bills each;
    on-time payers owe nothing overdue, late and chronic
    payers (a quarter, by id) do."""
    today = dt.date(2026, 12, 3)
    report = seed_scale(connection, "x", accounts=40, stations=2, collectors=4, today=today)
    assert report.accounts == 40 and report.stations == 2
    rows = connection.execute(
        text(
            "SELECT count(*) FILTER (WHERE us.station_id IS NULL), count(*) FROM account a"
            " LEFT JOIN user_station us ON us.user_id = a.responsible_id"
            "  AND us.station_id = a.station_id WHERE a.number LIKE 'SC%'"
        )
    ).one()
    assert rows == (0, 40)
    outside = connection.execute(
        text(
            "SELECT count(*) FROM account a LEFT JOIN territory t ON t.id = a.territory_id"
            " LEFT JOIN territory_collector tc ON tc.territory_id = t.id"
            "  AND tc.user_id = a.responsible_id"
            " WHERE a.number LIKE 'SC%' AND (tc.user_id IS NULL"
            "  OR NOT ST_Covers(t.area, a.location) OR t.station_id <> a.station_id)"
        )
    ).scalar_one()
    assert outside == 0  # in its collector's territory, which the planner needs
    bills = connection.execute(
        text(
            "SELECT count(*), count(DISTINCT account_id) FROM bill b JOIN account a"
            " ON a.id = b.account_id WHERE a.number LIKE 'SC%'"
        )
    ).one()
    assert bills == (480, 40)
    owed = connection.execute(
        text(
            "SELECT count(DISTINCT b.account_id) FROM bill b"
            " JOIN account a ON a.id = b.account_id"
            " LEFT JOIN payment_allocation pa ON pa.bill_id = b.id"
            " WHERE a.number LIKE 'SC%' AND pa.id IS NULL AND b.due_date < :today"
        ),
        {"today": today},
    ).scalar_one()
    behind = connection.execute(
        text("SELECT count(*) FROM account WHERE number LIKE 'SC%' AND id % 100 >= 75")
    ).scalar_one()
    assert owed == behind  # late payers (their last bill) and the chronic tenth


def test_the_scale_ledger_keeps_the_money_rules(connection: Any) -> None:
    """Every payment is allocated and audited (the ledger invariants hold on the scale
    stations), and each late fee is what core.money.fees charges for the days late."""
    today = dt.date(2026, 12, 3)
    seed_scale(connection, "x", accounts=100, stations=2, collectors=4, today=today)
    stations = list(
        connection.execute(text("SELECT id FROM station WHERE code LIKE 'SC-%'")).scalars()
    )
    with Session(bind=connection) as session:
        assert check_ledger(session, stations) == {}
    rows = connection.execute(
        text(
            "SELECT pa.principal, pa.late_fee, b.due_date,"
            " (p.collected_at AT TIME ZONE 'Asia/Shanghai')::date, a.category::text"
            " FROM payment_allocation pa JOIN payment p ON p.id = pa.payment_id"
            " JOIN bill b ON b.id = pa.bill_id JOIN account a ON a.id = b.account_id"
            " WHERE a.number LIKE 'SC%'"
        )
    ).all()
    late = [r for r in rows if r[3] > r[2]]
    assert late and len(late) < len(rows)
    for principal, fee, due, paid, category in rows:
        assert fee == late_fee(principal, due, paid, residential=category == "residential")
