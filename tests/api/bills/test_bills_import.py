"""The monthly bills import: dry run, all or nothing, idempotent by (account, period),
re-billed amounts as audited adjustments, every bad row reported, bad files refused."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from core.models import Bill, BillAdjustment, Role

HEADER = "account_number,period,amount,due_date,category,reading_from,reading_to\n"


@pytest.fixture
def setup(factory, client):
    st = factory.station()
    col = factory.user(Role.COLLECTOR, st)
    a1 = factory.account(st, col, number="BL0001")
    a2 = factory.account(st, col, number="BL0002")
    other = factory.account(factory.station(), number="BL9999")
    sup = factory.token(factory.user(Role.SUPERVISOR, st), client)
    return {"st": st, "a1": a1, "a2": a2, "other": other, "sup": sup, "col": col}


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def _send(client, s, data: bytes, dry_run: bool, name: str = "bills.csv"):
    """The multipart body built here, not by the test client (which spools a big body to a
    temporary file it never closes)."""
    parts = [
        ("station_id", None, str(s["st"].id).encode()),
        ("dry_run", None, str(dry_run).lower().encode()),
        ("file", name, data),
    ]
    body = b""
    for field, filename, value in parts:
        disposition = f'form-data; name="{field}"' + (
            f'; filename="{filename}"' if filename else ""
        )
        body += f"--XBOUNDARY\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += value + b"\r\n"
    body += b"--XBOUNDARY--\r\n"
    return client.post(
        "/api/bills/import",
        input_stream=io.BytesIO(body),
        content_type="multipart/form-data; boundary=XBOUNDARY",
        headers={**s["sup"], "Content-Length": str(len(body))},
    )


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def _month(client, s, lines):
    return _csv(
        *[
            f"{n},2026-10,{amt},2026-11-10,residential,100,{150 + i}"
            for i, (n, amt) in enumerate(lines)
        ]
    )


def test_dry_run_then_apply_then_again_adds_nothing(setup, client, session):
    """A dry run reports what the real run writes; the same file twice adds nothing; the
    amount due sees the new bills at once."""
    s = setup
    data = _month(client, s, [("BL0001", "128.50"), ("BL0002", "66.00")])
    before = _count(session, Bill)
    dry = _send(client, s, data, True)
    assert dry.status_code == 200, dry.json
    assert (dry.json["created"], dry.json["error_count"], dry.json["total_created"]) == (
        2,
        0,
        "194.50",
    )
    assert _count(session, Bill) == before
    applied = _send(client, s, data, False)
    assert applied.status_code == 200 and applied.json["created"] == 2
    assert _count(session, Bill) == before + 2
    again = _send(client, s, data, False).json
    assert (again["created"], again["unchanged"], again["rebilled"]) == (0, 2, 0)
    assert _count(session, Bill) == before + 2
    due = client.get(
        f"/api/arrears/{s['a1'].id}", query_string={"as_of": "2026-12-01"}, headers=s["sup"]
    ).json
    assert due["principal"] == "128.50", due


def test_rebilled_amount_is_an_adjustment_in_the_statement_and_audit(setup, client, session):
    """A changed amount adds an adjustment (reason re-billed), the original stays as
    billed, the statement and the audit trail show it, the amount due follows it."""
    s = setup
    _send(client, s, _month(client, s, [("BL0001", "128.50")]), False)
    changed = _month(client, s, [("BL0001", "140.25")])
    dry = _send(client, s, changed, True).json
    assert dry["rebilled"] == 1 and dry["adjustments"][0]["from"] == "128.50"
    assert _send(client, s, changed, False).json["rebilled"] == 1
    bill = session.scalars(select(Bill).where(Bill.account_id == s["a1"].id)).one()
    session.refresh(bill)
    assert str(bill.amount) == "128.50"  # never overwritten
    statement = client.get(f"/api/accounts/{s['a1'].id}/bills", headers=s["sup"]).json
    line = statement[0]
    assert (line["billed"], line["amount"]) == ("128.50", "140.25")
    assert line["adjustments"][0]["reason"] == "re-billed"
    assert line["adjustments"][0]["delta"] == "11.75"
    audit = client.get(
        "/api/money/audit", query_string={"account_id": s["a1"].id}, headers=s["sup"]
    ).json
    assert [a["event"] for a in audit] == ["bill.rebilled"]
    due = client.get(
        f"/api/arrears/{s['a1'].id}", query_string={"as_of": "2026-12-01"}, headers=s["sup"]
    ).json
    assert due["principal"] == "140.25"
    assert _send(client, s, changed, False).json["unchanged"] == 1
    assert _count(session, BillAdjustment) == 1
    mine = client.get(
        f"/api/accounts/{s['a1'].id}/bills", headers=client.application and _collector(client, s)
    )
    assert mine.status_code == 200 and mine.json[0]["amount"] == "140.25"


def _collector(client, s):
    resp = client.post(
        "/api/auth/login", json={"username": s["col"].username, "password": "secret-pass-1"}
    )
    return {"Authorization": f"Bearer {resp.json['access_token']}"}


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("NOSUCH01,2026-10,10.00,2026-11-10,,,", "account_number"),
        ("BL9999,2026-10,10.00,2026-11-10,,,", "account_number"),
        ("BL0002,2026-10,10.005,2026-11-10,,,", "amount"),
        ("BL0002,2026-10,-3.00,2026-11-10,,,", "amount"),
        ("BL0002,2026-10,10.00,2026-09-30,,,", "due_date"),
        ("BL0002,2026-13,10.00,2026-11-10,,,", "period"),
        ("BL0002,0001-01,10.00,2026-11-10,,,", "period"),  # dates run 2000 to 2099
        ("BL0002,2026-10,10.00,9999-12-31,,,", "due_date"),
        ("BL0002,2026-10,10.00,2026-11-10,non_residential,,", "category"),
        ("BL0002,2026-10,10.00,2026-11-10,,200,100", "reading_to"),
        ("BL0001,2026-10,12.00,2026-11-10,,,", "period"),  # same account and period as row 2
    ],
)
def test_bad_rows_are_reported_and_nothing_is_written(setup, client, session, row, field):
    """Each bad row is named with its column in the dry run; the real run answers 422 with
    the same rows and writes nothing, not even the good row."""
    s = setup
    data = _csv("BL0001,2026-10,10.00,2026-11-10,,,", row)
    dry = _send(client, s, data, True).json
    assert [(e["row"], e["field"]) for e in dry["errors"]] == [(3, field)], dry["errors"]
    before = _count(session, Bill)
    real = _send(client, s, data, False)
    assert real.status_code == 422 and real.mimetype == "application/problem+json"
    assert real.json["errors"]["files"]["file"]["rows"][0]["row"] == 3
    assert _count(session, Bill) == before


@pytest.mark.parametrize(
    ("data", "name", "status"),
    [
        (b"", "bills.csv", 422),
        (b"account_number,period,amount,due_date\n", "bills.csv", 422),
        (b"account_number,period\nBL0001,2026-10\n", "bills.csv", 422),
        (b"not a workbook at all", "bills.xlsx", 422),
        (b"PK\x03\x04\x14\x00binary zip", "bills.csv", 422),
        (b"x" * (50 * 1024 * 1024), "bills.csv", 413),
        (b"account_number,period,amount,due_date\n", "bills.pdf", 422),
    ],
)
def test_bad_files_are_refused(setup, client, session, data, name, status):
    """Empty, header only, missing columns, not what the extension says, 50 MB: refused
    (413 before reading), nothing written."""
    before = _count(session, Bill)
    resp = _send(client, setup, data, False, name)
    assert resp.status_code == status and resp.mimetype == "application/problem+json"
    assert _count(session, Bill) == before


def test_gb18030_csv_and_xlsx_with_chinese_headers(setup, client, session):
    """GB18030 CSV with the marketing system's Chinese headers, and .xlsx, both load."""
    s = setup
    csv_data = "户号,账期,金额,缴费截止日,用户类别\nBL0001,2026年10月,58.30,2026-11-10,居民\n"
    resp = _send(client, s, csv_data.encode("gb18030"), False)
    assert resp.status_code == 200 and resp.json["created"] == 1, resp.json
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["account_number", "period", "amount", "due_date"])
    import datetime as dt

    sheet.append(["BL0002", dt.datetime(2026, 10, 1), 71.2, dt.datetime(2026, 11, 10)])
    buf = io.BytesIO()
    book.save(buf)
    resp = _send(client, s, buf.getvalue(), False, "bills.xlsx")
    assert resp.status_code == 200 and resp.json["created"] == 1, resp.json
    amounts = session.scalars(
        select(Bill.amount).where(Bill.account_id.in_([s["a1"].id, s["a2"].id]))
    ).all()
    assert sorted(str(a) for a in amounts) == ["58.30", "71.20"]


def test_collectors_cannot_import(setup, client):
    """Importing bills is the station's staff's."""
    s = setup
    resp = client.post(
        "/api/bills/import",
        data={"station_id": str(s["st"].id), "file": (io.BytesIO(_csv()), "b.csv")},
        content_type="multipart/form-data",
        headers=_collector(client, s),
    )
    assert resp.status_code == 403


def test_another_stations_number_reads_like_a_missing_one(setup, client):
    """A row naming another station's account gets the same error as an unknown number
    (issue 16, item 14): the import never tells a station which numbers exist elsewhere."""
    s = setup
    data = _csv("BL9999,2026-10,10.00,2026-11-10,,,", "NOSUCH02,2026-10,10.00,2026-11-10,,,")
    errors = _send(client, s, data, True).json["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [
        (2, "account_number"),
        (3, "account_number"),
    ]
    assert errors[0]["message"] == errors[1]["message"]
    assert "another station" not in errors[0]["message"]
