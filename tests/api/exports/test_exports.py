"""Exports read back: the demo station's arrears list as CSV (BOM) and .xlsx (openpyxl)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from core.models import Account, Station
from demo.generator import seed_demo
from tests.support.kpi_ledger import build_ledger

TODAY = dt.date(2026, 4, 20)
EVIL = '=HYPERLINK("http://example.com","点我")张三'


def _demo(session: Any, app: Any, client: Any) -> tuple[Station, dict[str, str], Account]:
    seed_demo(session, app.extensions["passwords"], accounts=150, seed=3, today=TODAY)
    station = session.scalars(select(Station).where(Station.name == "景村供电所")).one()
    resp = client.post(
        "/api/auth/login", json={"username": "supervisor", "password": "supervisor-demo"}
    )
    assert resp.status_code == 200, resp.json
    auth = {"Authorization": f"Bearer {resp.json['access_token']}"}
    # Give the most indebted account a name a spreadsheet would run as a formula.
    arrears = client.get(
        "/api/arrears", query_string={"as_of": TODAY.isoformat(), "limit": 500}, headers=auth
    ).json
    top = max(arrears, key=lambda r: Decimal(r["principal"]))
    account = session.get(Account, top["account_id"])
    account.name = EVIL
    session.flush()
    return station, auth, account


def _expected(client: Any, auth: dict[str, str]) -> dict[int, Decimal]:
    rows = client.get(
        "/api/arrears", query_string={"as_of": TODAY.isoformat(), "limit": 500}, headers=auth
    ).json
    return {r["account_id"]: Decimal(r["principal"]) for r in rows}


def test_arrears_csv_has_a_bom_chinese_amounts_and_no_formula(
    session: Any, app: Any, client: Any
) -> None:
    """UTF-8 with BOM; village names in Chinese; principal per account as /api/arrears; '=' text."""
    station, auth, evil = _demo(session, app, client)
    resp = client.get(
        "/api/exports/arrears",
        query_string={"station_id": station.id, "as_of": TODAY.isoformat(), "format": "csv"},
        headers=auth,
    )
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/csv")
    raw = resp.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {int(r["account_id"]): Decimal(r["principal"]) for r in rows} == _expected(client, auth)
    assert all("村" in r["village"] for r in rows)
    mine = next(r for r in rows if int(r["account_id"]) == evil.id)
    assert mine["name"] == "'" + EVIL  # neutralised: a leading apostrophe
    assert Decimal(mine["total"]) == Decimal(mine["principal"]) + Decimal(mine["late_fee"])


def test_arrears_xlsx_reads_back_with_openpyxl(session: Any, app: Any, client: Any) -> None:
    """The workbook holds the same accounts and amounts, and the '=' name is a text cell."""
    station, auth, evil = _demo(session, app, client)
    resp = client.get(
        "/api/exports/arrears",
        query_string={"station_id": station.id, "as_of": TODAY.isoformat(), "format": "xlsx"},
        headers=auth,
    )
    assert resp.status_code == 200
    book = load_workbook(io.BytesIO(resp.get_data()))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = [
        dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)
    ]
    got = {r["account_id"]: Decimal(str(r["principal"])) for r in rows}
    assert got == _expected(client, auth)
    cell = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == evil.id)[2]
    assert cell.value == EVIL and cell.data_type == "s"
    assert all("村" in r["village"] for r in rows)


def test_kpi_tables_and_the_cash_statement_export(factory: Any, client: Any) -> None:
    """The collection table and west's cash statement as CSV; a collector's own only."""
    led = build_ledger(factory)
    auth = factory.token(led.supervisor, client)
    query = {"station_id": led.station.id, "month": "2026-04", "as_of": "2026-04-20"}
    resp = client.get("/api/exports/collection", query_string=query, headers=auth)
    (line,) = list(csv.DictReader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
    assert (line["opening"], line["collected"], line["rate"]) == ("420.00", "110.00", "0.2619")
    west = factory.token(led.west, client)
    resp = client.get(
        "/api/exports/cash-statement", query_string={"month": "2026-04"}, headers=west
    )
    lines = list(csv.DictReader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
    assert [(x["kind"], x["amount"], x["balance"]) for x in lines] == [
        ("collected", "50.00", "50.00")
    ]
    other = client.get(
        "/api/exports/cash-statement",
        query_string={"collector_id": led.east.id, "month": "2026-04"},
        headers=west,
    )
    assert other.status_code == 404
    for table in ("visits", "month-end", "ageing", "field-work", "stubborn", "ranking",
                  "collector-results"):  # fmt: skip
        resp = client.get(
            f"/api/exports/{table}", query_string={**query, "format": "xlsx"}, headers=auth
        )
        assert resp.status_code == 200, table
        assert load_workbook(io.BytesIO(resp.get_data())).worksheets[0].max_row >= 1
    assert client.get("/api/exports/nothing", headers=auth).status_code == 404
