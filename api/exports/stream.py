"""Streamed CSV and .xlsx responses, with formula injection neutralised.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return could be
run as a formula by a spreadsheet (OWASP "CSV injection"). In CSV it gets a leading
apostrophe; in .xlsx it is written as an explicit string cell (never a formula), so it
reads back as the same text. Numbers stay numbers (money as a number with two decimals).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from flask import Response

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CHUNK = 64 * 1024


def neutralised(text: str) -> str:
    """``text`` made safe for a CSV cell."""
    return "'" + text if text.startswith(DANGEROUS) else text


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _csv_cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralised(str(value))


def _disposition(name: str) -> str:
    ascii_name = name.encode("ascii", "ignore").decode() or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def csv_response(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """``rows`` as a CSV file, UTF-8 with a BOM (Excel then reads Chinese right), streamed."""

    def generate() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write(BOM)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
            if buffer.tell() > _CHUNK:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")

    resp = Response(generate(), mimetype="text/csv")
    resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    resp.headers["Content-Disposition"] = _disposition(f"{name}.csv")
    return resp


def xlsx_response(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """``rows`` as an .xlsx workbook: written row by row (openpyxl's write-only mode keeps
    memory flat), then streamed from a temporary file."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=name[:31])
    sheet.append(list(header))
    for row in rows:
        cells = []
        for value in row:
            value = _plain(value)
            money = isinstance(value, Decimal)
            if money:  # a spreadsheet number (exact for two decimals on reading back)
                value = float(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula
            elif money:
                cell.number_format = "0.00##"
            cells.append(cell)
        sheet.append(cells)
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (closed by the response generator)
    book.save(spool)
    spool.seek(0)

    def generate() -> Iterator[bytes]:
        with spool:
            while chunk := spool.read(_CHUNK):
                yield chunk

    resp = Response(generate(), mimetype=XLSX)
    resp.headers["Content-Disposition"] = _disposition(f"{name}.xlsx")
    return resp
