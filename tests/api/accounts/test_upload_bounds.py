"""Uploads (issue 16, item 16): an .xlsx that unpacks past the bound or is too wide is
refused before parsing, a malformed CSV answers 422 (never 500), the XML parser is
defusedxml's, and a 5,000-deep JSON body without a token answers 400."""

from __future__ import annotations

import io
import zipfile

import pytest

from core.accounts.import_rows import (
    MAX_COLUMNS,
    MAX_XLSX_UNPACKED_BYTES,
    UnreadableFile,
    read_table,
)
from core.models import Role


def _bomb() -> bytes:
    """A small zip whose sheet unpacks past the bound (whitespace compresses ~1000:1)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", " " * (MAX_XLSX_UNPACKED_BYTES + 1))
    return buf.getvalue()


def test_xlsx_bomb_is_refused_before_parsing(monkeypatch):
    """The unpacked size is read from the zip's directory; openpyxl never runs."""
    data = _bomb()
    assert len(data) < MAX_XLSX_UNPACKED_BYTES // 100

    def _never(*_a, **_k):
        raise AssertionError("parsed")

    monkeypatch.setattr("openpyxl.load_workbook", _never)
    with pytest.raises(UnreadableFile) as refused:
        list(read_table("bomb.xlsx", data))
    assert "unpacks to" in refused.value.message


def test_too_many_columns_is_refused():
    """A header wider than the bound is refused."""
    header = ",".join(f"c{i}" for i in range(MAX_COLUMNS + 5))
    with pytest.raises(UnreadableFile) as refused:
        list(read_table("wide.csv", (header + "\n").encode()))
    assert "columns" in refused.value.message


def test_openpyxl_parses_through_defusedxml():
    """defusedxml is installed, so openpyxl's XML parsing refuses entity tricks."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def _import(client, headers, station_id, name, data):
    return client.post(
        "/api/accounts/import",
        data={"station_id": str(station_id), "dry_run": "true", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


def test_bad_uploads_answer_422_never_500(factory, client):
    """A CSV field past the csv module's limit, an .xlsx bomb and a non-zip .xlsx: 422."""
    st = factory.station()
    headers = factory.token(factory.user(Role.SUPERVISOR, st), client)
    huge_field = b"number,name\nA1," + b"x" * 200_000 + b"\n"
    for name, data in (("a.csv", huge_field), ("b.xlsx", _bomb()), ("c.xlsx", b"not a zip")):
        resp = _import(client, headers, st.id, name, data)
        assert resp.status_code == 422, (name, resp.status_code, resp.json)
        assert resp.mimetype == "application/problem+json"


def test_deep_json_without_a_token_is_400(client):
    """A 5,000-deep JSON body to the login endpoint (no token) answers 400, not 500."""
    body = "[" * 5000 + "]" * 5000
    resp = client.post("/api/auth/login", data=body, content_type="application/json")
    assert resp.status_code == 400, resp.status_code
