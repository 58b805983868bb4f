"""Bulk import: dry-run reports, all-or-nothing upsert by number, CSV and .xlsx."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from core.models import Account, AccountResponsibility, Role
from geo.coords import wgs84_to_gcj02

HEADER = "number,name,address,village,category,lon,lat,system,responsible"


def _csv(*lines: str, encoding: str = "utf-8") -> tuple[io.BytesIO, str]:
    return io.BytesIO(("\n".join((HEADER, *lines)) + "\n").encode(encoding)), "accounts.csv"


def _post(client, headers, file, dry_run, **form):
    data = {"file": file, "dry_run": "true" if dry_run else "false", **form}
    return client.post(
        "/api/accounts/import", data=data, headers=headers, content_type="multipart/form-data"
    )


@pytest.fixture
def team(factory, client):
    st = factory.station()
    sup = factory.user(Role.SUPERVISOR, st)
    col = factory.user(Role.COLLECTOR, st, username=f"col-import-{st.id}")
    return st, sup, col, factory.token(sup, client)


def _count(session, st):
    return session.scalar(
        select(func.count()).select_from(Account).where(Account.station_id == st.id)
    )


def test_dry_run_lists_every_bad_row_and_writes_nothing(team, client, session):
    """A dry run reports row, field and message for each problem and stores nothing."""
    st, _, _, headers = team
    file = _csv(
        "N1,张三,东村1号,东村,residential,110.30,34.14,,",
        "N2,,东村2号,东村,residential,110.30,34.14,,",
        "N3,李四,东村3号,东村,robot,110.30,34.14,,",
        "N4,王五,东村4号,东村,居民,0,0,,",
        "N5,赵六,东村5号,东村,residential,nan,34.14,,",
        "N1,重复,东村6号,东村,residential,110.30,34.14,,",
        "N7,钱七,东村7号,东村,residential,110.30,34.14,utm,",
        "N8,孙八,东村8号,东村,residential,110.30,34.14,,nobody",
    )
    resp = _post(client, headers, file, dry_run=True)
    assert resp.status_code == 200, resp.json
    got = {(e["row"], e["field"]) for e in resp.json["errors"]}
    assert got == {
        (3, "name"),
        (4, "category"),
        (5, "lon"),
        (6, "lon"),
        (7, "number"),
        (8, "system"),
        (9, "responsible"),
    }
    assert resp.json["rows"] == 8 and resp.json["created"] == 1  # N1, the one good row
    assert _count(session, st) == 0


def test_a_bad_row_makes_the_real_import_write_nothing(team, client, session):
    """With one bad row the import answers 422 with the report and stores no row at all."""
    st, _, _, headers = team
    file = _csv(
        "N1,张三,东村1号,东村,residential,110.30,34.14,,",
        "N2,李四,东村2号,东村,residential,200,34.14,,",
    )
    resp = _post(client, headers, file, dry_run=False)
    assert resp.status_code == 422 and resp.content_type == "application/problem+json"
    assert resp.json["errors"]["files"]["file"]["rows"] == [
        {"row": 3, "field": "lon", "message": "Longitude must be within [-180, 180]."}
    ]
    assert _count(session, st) == 0


def test_import_upserts_by_number_with_declared_systems_and_responsibility(
    team, factory, client, session
):
    """Upsert by number; GCJ-02 rows stored as WGS-84; territory and responsibility set."""
    st, _, col, headers = team
    factory.territory(
        st, "MULTIPOLYGON(((110.2 34.0,110.4 34.0,110.4 34.3,110.2 34.3,110.2 34.0)))"
    )
    glon, glat = wgs84_to_gcj02(110.31, 34.15)
    first = _csv(
        f"N1,张三,东村1号,东村,residential,{glon},{glat},gcj02,{col.username}",
        "N2,李四,东村2号,东村,非居民,110.32,34.16,,",
    )
    resp = _post(client, headers, first, dry_run=False)
    assert resp.status_code == 200, resp.json
    assert (resp.json["created"], resp.json["updated"]) == (2, 0)
    acc = session.scalars(select(Account).where(Account.number == "N1")).one()
    lon, lat = session.execute(
        select(func.ST_X(Account.location), func.ST_Y(Account.location)).where(Account.id == acc.id)
    ).one()
    assert abs(lon - 110.31) < 1e-6 and abs(lat - 34.15) < 1e-6
    assert acc.territory_id is not None and acc.responsible_id == col.id
    assert (
        session.scalar(
            select(func.count())
            .select_from(AccountResponsibility)
            .where(AccountResponsibility.account_id == acc.id)
        )
        == 1
    )
    second = _csv(
        "N1,张三丰,东村1号,东村,residential,110.31,34.15,,",
        "N3,王五,东村3号,东村,temporary,110.33,34.17,,",
    )
    resp = _post(client, headers, second, dry_run=False, mode="upsert")
    assert (resp.json["created"], resp.json["updated"]) == (1, 1)
    session.expire_all()
    assert session.get(Account, acc.id).name == "张三丰"


def test_xlsx_and_gbk_csv_are_read(team, client, session):
    """An .xlsx workbook and a GB18030-encoded CSV import the same way."""
    st, _, _, headers = team
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["X1", "张三", "东村1号", "东村", "residential", 110.30, 34.14, None, None])
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    assert _post(client, headers, (buf, "a.xlsx"), dry_run=False).json["created"] == 1
    assert (
        _post(
            client,
            headers,
            _csv("G1,李四,西村2号,西村,residential,110.3,34.1,,", encoding="gb18030"),
            dry_run=False,
        ).json["created"]
        == 1
    )
    assert _count(session, st) == 2


@pytest.mark.parametrize(
    ("payload", "name"),
    [
        (b"number,name\nx,y\n", "a.csv"),
        (b"not a zip", "a.xlsx"),
        (b"\xff\xfe\x00", "a.txt"),
        (b"", "a.csv"),
    ],
)
def test_unreadable_files_answer_422(team, client, payload, name):
    """Wrong headers, corrupt workbooks, other formats and empty files answer 422 on the file."""
    *_, headers = team
    resp = _post(client, headers, (io.BytesIO(payload), name), dry_run=True)
    assert resp.status_code == 422, resp.json
    assert "file" in resp.json["errors"]["files"]


def test_numbers_of_another_station_and_collectors_cannot_import(team, factory, client):
    """A number owned by another station is a row error; collectors get 403."""
    st, _, col, headers = team
    factory.account(factory.station(), number="FOREIGN1")
    resp = _post(
        client, headers, _csv("FOREIGN1,张三,东村1号,东村,residential,110.30,34.14,,"), dry_run=True
    )
    assert [(e["row"], e["field"]) for e in resp.json["errors"]] == [(2, "number")]
    resp = _post(
        client,
        factory.token(col, client),
        _csv("N1,张三,东村1号,东村,residential,110.30,34.14,,"),
        dry_run=True,
    )
    assert resp.status_code == 403


def test_reimport_changes_responsibility_through_the_history(team, factory, client, session):
    """Re-importing with another collector closes the old row; the same collector adds nothing."""
    st, _, col, headers = team
    other = factory.user(Role.COLLECTOR, st, username=f"col-other-{st.id}")
    line = "R1,张三,东村1号,东村,residential,110.30,34.14,,{}"
    again = {"mode": "upsert"}
    assert _post(client, headers, _csv(line.format(col.username)), False).status_code == 200
    assert (
        _post(client, headers, _csv(line.format(col.username)), False, **again).json["unchanged"]
        == 1
    )
    acc = session.scalars(select(Account).where(Account.number == "R1")).one()
    rows = lambda: session.scalars(  # noqa: E731
        select(AccountResponsibility.collector_id)
        .where(AccountResponsibility.account_id == acc.id)
        .order_by(AccountResponsibility.id)
    ).all()
    assert rows() == [col.id]
    resp = _post(client, headers, _csv(line.format(other.username)), False, **again)
    assert resp.status_code == 200, resp.json
    session.expire_all()
    assert session.get(Account, acc.id).responsible_id == other.id
    assert rows() == [other.id]  # same-day change replaces the row opened today


def _report(resp):
    return {k: resp.json[k] for k in ("rows", "created", "updated", "unchanged", "changes")}


def test_the_dry_run_reports_exactly_what_the_upsert_then_does(team, factory, client, session):
    """A dry run counts created, updated (with each changed field) and unchanged rows as apply."""
    st, _, col, headers = team
    same = factory.account(
        st,
        number="U1",
        name="张三",
        address="东村1号",
        village="东村",
        phone=None,
        lonlat=(110.30, 34.14),
    )
    moved = factory.account(
        st,
        number="U2",
        name="李四",
        address="东村2号",
        village="东村",
        phone=None,
        lonlat=(110.30, 34.14),
    )
    lines = (
        "U1,张三,东村1号,东村,residential,110.30,34.14,,",
        f"U2,李四四,东村2号,东村,residential,110.31,34.14,,{col.username}",
        "U3,王五,东村3号,东村,residential,110.30,34.14,,",
    )
    preview = _post(client, headers, _csv(*lines), dry_run=True, mode="upsert")
    assert preview.status_code == 200, preview.json
    assert (preview.json["created"], preview.json["updated"], preview.json["unchanged"]) == (
        1,
        1,
        1,
    )
    [change] = preview.json["changes"]
    assert change["row"] == 3 and change["number"] == "U2" and change["account_id"] == moved.id
    assert change["fields"]["name"] == {"from": "李四", "to": "李四四"}
    assert change["fields"]["location"]["to"] == [110.31, 34.14]
    assert change["fields"]["responsible"] == {"from": None, "to": col.username}
    assert set(change["fields"]) == {"name", "location", "responsible"}
    session.expire_all()
    assert session.get(Account, moved.id).name == "李四"  # the dry run wrote nothing
    applied = _post(client, headers, _csv(*lines), dry_run=False, mode="upsert")
    assert applied.status_code == 200, applied.json
    assert _report(applied) == _report(preview) and applied.json["dry_run"] is False
    session.expire_all()
    assert session.get(Account, moved.id).name == "李四四"
    assert session.get(Account, moved.id).responsible_id == col.id
    again = _post(client, headers, _csv(*lines), dry_run=True, mode="upsert")
    assert (again.json["created"], again.json["updated"], again.json["unchanged"]) == (0, 0, 3)
    assert session.get(Account, same.id).name == "张三"


def test_an_existing_number_is_refused_unless_the_update_mode_is_asked(
    team, factory, client, session
):
    """Without mode=upsert a row whose number exists is a row error, and nothing is renamed."""
    st, _, _, headers = team
    acc = factory.account(st, number="E1", name="张三")
    file = lambda: _csv("E1,改名,东村1号,东村,residential,110.30,34.14,,")  # noqa: E731
    preview = _post(client, headers, file(), dry_run=True)
    assert preview.json["mode"] == "create"
    assert [(e["row"], e["field"]) for e in preview.json["errors"]] == [(2, "number")]
    assert "mode=upsert" in preview.json["errors"][0]["message"]
    assert _post(client, headers, file(), dry_run=False).status_code == 422
    session.expire_all()
    assert session.get(Account, acc.id).name == "张三"


def test_every_error_of_a_row_is_listed(team, client):
    """A row with several problems lists each of them, not only the first."""
    *_, headers = team
    file = _csv(
        "B1,,东村1号,东村,robot,999,-999,,nobody", "B2,李四,东村2号,东村,residential,x,y,utm,"
    )
    resp = _post(client, headers, file, dry_run=True)
    got = sorted((e["row"], e["field"]) for e in resp.json["errors"])
    assert got == [
        (2, "category"),
        (2, "lat"),
        (2, "lon"),
        (2, "name"),
        (2, "responsible"),
        (3, "lat"),
        (3, "lon"),
        (3, "system"),
    ]
    assert resp.json["error_count"] == 8


def test_the_columns_are_documented_in_the_openapi_and_docs(client):
    """Every import column is described in the operation's description and in docs/."""
    from core.accounts.import_rows import COLUMNS
    from tests.conftest import ROOT

    spec = client.get("/api/openapi.json").json
    operation = spec["paths"]["/api/accounts/import"]["post"]
    page = (ROOT / "docs" / "accounts_import.md").read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"`{column}`" in operation["description"], column
        assert f"`{column}`" in page, column
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    body = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]] if "$ref" in body else body
    assert {"file", "dry_run", "mode", "system", "station_id"} <= set(body["properties"])


def test_another_stations_number_is_refused_without_saying_where_it_lives(team, factory, client):
    """The row error for a number held elsewhere is the county-wide 'already in use', naming
    no station and no internal id (issue 16, item 14)."""
    *_, headers = team
    there = factory.station()
    foreign = factory.account(there, number="FOREIGN2")
    resp = _post(
        client, headers, _csv("FOREIGN2,张三,东村1号,东村,residential,110.30,34.14,,"), dry_run=True
    )
    assert [e["message"] for e in resp.json["errors"]] == ["This account number is already in use."]
    text = resp.get_data(as_text=True)
    assert "station" not in text.lower().replace("station_id", "")
    assert there.name not in text and f'"{foreign.id}"' not in text
