"""Reading an import file and checking its rows: pure Python, no database, no Flask.

CSV (UTF-8 or GB18030, as Excel in China saves it) or .xlsx; the header names the
columns. Every problem is reported as (row, column, message); row 1 is the header.
"""

from __future__ import annotations

import csv
import enum
import io
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from core.errors import Invalid
from core.models import Category, LocationQuality
from geo.coords import CoordSystem, to_wgs84
from geo.placement import implausibility

__all__ = [
    "COLUMNS",
    "COLUMN_DOCS",
    "ImportMode",
    "ImportReport",
    "RowChange",
    "RowError",
    "UnreadableFile",
    "check_row",
    "columns_markdown",
    "read_rows",
    "read_table",
]

MAX_ROWS = 100_000
#: An .xlsx is a zip: what it unpacks to is bounded before any XML is parsed (a 1 MB
#: upload can unpack to gigabytes), and rows are read this many columns wide at most.
MAX_XLSX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_COLUMNS = 64
MAX_REPORTED_ERRORS = 1_000
COLUMNS = (
    "number",
    "name",
    "address",
    "phone",
    "village",
    "category",
    "group_code",
    "lon",
    "lat",
    "system",
    "responsible",
    "notes",
)
REQUIRED = ("number", "name", "address", "village", "category")
#: What each column holds: the OpenAPI description of the import and docs/accounts_import.md
#: are written from this table (a test checks both name every column).
COLUMN_DOCS = {
    "number": "Account number (户号), at most 32 characters; unique across the county. "
    "The key of the import: a number already in the station updates that account "
    "(only with `mode=upsert`); a number of another station is refused.",
    "name": "Customer name, at most 100 characters.",
    "address": "Address, at most 200 characters.",
    "phone": "Phone number, at most 32 characters; blank clears it.",
    "village": "Village (村), at most 100 characters.",
    "category": "`residential`, `non_residential`, `temporary` or `group_member` "
    "(or 居民, 非居民, 临时用电, 集团/集团客户).",
    "group_code": "Payer code of a group customer (集团客户), at most 32 characters; "
    "blank clears it.",
    "lon": "Longitude in degrees, in the row's coordinate system. Blank `lon` and `lat` (or "
    "no such columns): the account is placed at its village's point from the station's "
    "gazetteer (`POST /api/villages/import`), `location_quality` approximate; a village "
    "the gazetteer does not know is a row error (an existing account keeps its point).",
    "lat": "Latitude in degrees, in the row's coordinate system. The point must lie in the "
    "station's service area (swapped lon/lat and (0, 0) are refused).",
    "system": "Coordinate system of `lon`/`lat`: `wgs84`, `gcj02` (Amap, Tencent) or `bd09` "
    "(Baidu); blank takes the form's `system`. Stored as WGS-84.",
    "responsible": "Username of the responsible collector (an active collector of the station); "
    "blank leaves an existing account's collector as it is.",
    "notes": "Free text, at most 2000 characters; blank clears it.",
}
LIMITS = {
    "number": 32,
    "name": 100,
    "address": 200,
    "phone": 32,
    "village": 100,
    "group_code": 32,
    "notes": 2000,
    "responsible": 64,
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Chinese labels accepted for the category column, as exported by marketing systems.
CATEGORY_ALIASES = {
    "居民": "residential",
    "非居民": "non_residential",
    "临时用电": "temporary",
    "集团": "group_member",
    "集团客户": "group_member",
}


class ImportMode(enum.StrEnum):
    """What a row whose account number already exists in the station does."""

    #: New accounts only: an existing number is a row error (nothing is renamed by mistake).
    CREATE = "create"
    #: New numbers are created, existing accounts of the station are updated.
    UPSERT = "upsert"


@dataclass(frozen=True)
class RowError:
    """One problem: spreadsheet row number (header is row 1), column, message."""

    row: int
    field: str
    message: str


@dataclass(frozen=True)
class RowChange:
    """An existing account a row updates: each changed field as ``{"from", "to"}``."""

    row: int
    number: str
    account_id: int
    fields: dict[str, dict[str, Any]]


@dataclass
class ImportReport:
    """What the import does (a dry run: would do): the same figures either way."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: New accounts without coordinates placed at their village's gazetteer point.
    approximate: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    dry_run: bool = True
    mode: ImportMode = ImportMode.CREATE

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    def change(self, change: RowChange) -> None:
        self.updated += 1
        if len(self.changes) < MAX_REPORTED_ERRORS:
            self.changes.append(change)


def columns_markdown() -> str:
    """The columns as a Markdown list (required ones marked)."""
    return "\n".join(
        f"- `{name}`{' (required)' if name in REQUIRED else ''}: {text}"
        for name, text in COLUMN_DOCS.items()
    )


class UnreadableFile(Invalid):
    """The upload is not a CSV or .xlsx table with the expected header."""

    def __init__(self, message: str) -> None:
        super().__init__({"file": [message]}, location="files")
        self.message = message


def _decode(data: bytes) -> str:
    if data[:4] == b"PK\x03\x04" or b"\x00" in data:
        raise UnreadableFile("The .csv file is not text (a spreadsheet or binary file renamed?).")
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("The CSV is neither UTF-8 nor GB18030 text.")


def _check_xlsx_size(data: bytes) -> None:
    """Refuse an .xlsx whose parts unpack past the bound, before openpyxl reads any."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnreadableFile("The file is not a readable .xlsx workbook.") from exc
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise UnreadableFile(
            f"The .xlsx unpacks to {unpacked} bytes, more than {MAX_XLSX_UNPACKED_BYTES}; "
            "split it or save it as CSV."
        )


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook  # parses through defusedxml (installed)

    _check_xlsx_size(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a corrupt file
        raise UnreadableFile("The file is not a readable .xlsx workbook.") from exc
    try:
        for row in book.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            values = list(row)
            while values and values[-1] is None:  # max_col pads short rows
                values.pop()
            yield values
    finally:
        book.close()


def _csv_rows(text: str) -> Iterator[list[Any]]:
    """The CSV's rows; a malformed one (a field past the csv module's limit, a stray
    quote) is the file's fault: 422, never 500."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = reader.line_num
            raise UnreadableFile(f"The CSV cannot be read at line {line}: {exc}.") from exc
        yield row[: MAX_COLUMNS + 1]


def read_table(filename: str, data: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, {column: value}) for every non-empty data row of a CSV or .xlsx file."""
    return read_rows(filename, data, COLUMNS, REQUIRED)


def read_rows(
    filename: str,
    data: bytes,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    aliases: dict[str, str] | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """:func:`read_table` for any table: ``columns`` known, ``required`` needed, header
    ``aliases`` (e.g. Chinese headers) mapped to column names."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows: Iterator[list[Any]] = _xlsx_rows(data)
    elif name.endswith(".csv"):
        rows = _csv_rows(_decode(data))
    else:
        raise UnreadableFile("Upload a .csv or .xlsx file.")
    header = next(rows, None)
    if header is None:
        raise UnreadableFile("The file is empty.")
    if len(header) > MAX_COLUMNS:
        raise UnreadableFile(f"More than {MAX_COLUMNS} columns in the header.")
    names = [str(h or "").strip().lower() for h in header]
    names = [(aliases or {}).get(n, n) for n in names]
    missing = [c for c in required if c not in names]
    unknown = [n for n in names if n and n not in columns]
    if missing or unknown:
        raise UnreadableFile(
            f"Header: missing columns {missing}, unknown columns {unknown}; "
            f"expected {list(columns)}."
        )
    for number, values in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            raise UnreadableFile(f"More than {MAX_ROWS} rows; split the file.")
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        yield number, {n: v for n, v in zip(names, values, strict=False) if n}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # numbers typed into Excel cells
    text = str(value).strip()
    return text or None


def _coordinate(value: Any, low: float, high: float, label: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{label} must be a number.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{label} must be a number.") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"{label} must be within [{low:g}, {high:g}].")
    return number


def check_row(
    row: int,
    raw: dict[str, Any],
    default_system: CoordSystem,
    depot: tuple[float, float],
    radius: float,
    report: ImportReport,
    area: Any = None,
) -> dict[str, Any]:
    """The row's values, cleaned; every problem of the row is added to ``report``."""
    out: dict[str, Any] = {}

    def bad(column: str, message: str) -> None:
        report.add(RowError(row, column, message))

    for column in (
        "number",
        "name",
        "address",
        "phone",
        "village",
        "group_code",
        "notes",
        "responsible",
    ):
        text = _text(raw.get(column))
        if text is None:
            if column in REQUIRED:
                bad(column, "Missing value.")
            out[column] = None
            continue
        if _CONTROL.search(text):
            bad(column, "Control characters are not allowed.")
        elif len(text) > LIMITS[column]:
            bad(column, f"Longer than {LIMITS[column]} characters.")
        out[column] = text
    category = _text(raw.get("category"))
    category = CATEGORY_ALIASES.get(category or "", category)
    if category not in {c.value for c in Category}:
        bad("category", f"One of {[c.value for c in Category]} (or 居民/非居民/临时用电/集团).")
    out["category"] = category
    system: CoordSystem | None = None
    try:
        system = CoordSystem((_text(raw.get("system")) or default_system.value).lower())
    except ValueError:
        bad("system", "One of wgs84, gcj02, bd09.")
    out["lon"] = out["lat"] = None
    out["location_quality"] = LocationQuality.EXACT.value
    if _text(raw.get("lon")) is None and _text(raw.get("lat")) is None:
        # No coordinates: the importer places the account at its village's point.
        out["location_quality"] = LocationQuality.APPROXIMATE.value
        return out
    lonlat: list[float] = []
    for column, low, high, label in (
        ("lon", -180.0, 180.0, "Longitude"),
        ("lat", -90.0, 90.0, "Latitude"),
    ):
        try:
            lonlat.append(_coordinate(raw.get(column), low, high, label))
        except ValueError as exc:
            bad(column, str(exc))
    if system is not None and len(lonlat) == 2:
        out["lon"], out["lat"] = to_wgs84(lonlat[0], lonlat[1], system)
        reason = implausibility((out["lon"], out["lat"]), depot, radius, area)
        if reason:
            bad("lon", reason)
    return out
