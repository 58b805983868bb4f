"""Bulk account import from CSV or .xlsx: validate every row, then upsert all or nothing.

Parsing and row checks are plain Python; the write is one COPY into a temporary
table and one ``INSERT ... SELECT ... ON CONFLICT (number) DO UPDATE``. No Flask.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session

from api.accounts import responsibility
from api.accounts.service import local_today
from geo.coords import CoordSystem, to_wgs84
from geo.models import Account, Category, Role, Station, User, user_station
from geo.placement import implausibility
from geo.territories import recompute_account_territories

__all__ = ["ImportReport", "RowError", "import_accounts", "read_table"]

MAX_ROWS = 100_000
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
REQUIRED = ("number", "name", "address", "village", "category", "lon", "lat")
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


@dataclass(frozen=True)
class RowError:
    """One problem: spreadsheet row number (header is row 1), column, message."""

    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = True

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)


class UnreadableFile(ValueError):
    """The upload is not a CSV or .xlsx table with the expected header."""


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("The CSV is neither UTF-8 nor GB18030 text.")


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a corrupt file
        raise UnreadableFile("The file is not a readable .xlsx workbook.") from exc
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def read_table(filename: str, data: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, {column: value}) for every non-empty data row of a CSV or .xlsx file."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows: Iterator[list[Any]] = _xlsx_rows(data)
    elif name.endswith(".csv"):
        rows = iter(csv.reader(io.StringIO(_decode(data), newline="")))
    else:
        raise UnreadableFile("Upload a .csv or .xlsx file.")
    header = next(rows, None)
    if header is None:
        raise UnreadableFile("The file is empty.")
    names = [str(h or "").strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    unknown = [n for n in names if n and n not in COLUMNS]
    if missing or unknown:
        raise UnreadableFile(
            f"Header: missing columns {missing}, unknown columns {unknown}; "
            f"expected {list(COLUMNS)}."
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


def _check_row(
    row: int,
    raw: dict[str, Any],
    default_system: CoordSystem,
    depot: tuple[float, float],
    radius: float,
    report: ImportReport,
) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    ok = True

    def bad(column: str, message: str) -> None:
        nonlocal ok
        ok = False
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
    system_text = (_text(raw.get("system")) or default_system.value).lower()
    try:
        system = CoordSystem(system_text)
    except ValueError:
        bad("system", "One of wgs84, gcj02, bd09.")
        return None
    try:
        lon = _coordinate(raw.get("lon"), -180.0, 180.0, "Longitude")
    except ValueError as exc:
        bad("lon", str(exc))
        return None
    try:
        lat = _coordinate(raw.get("lat"), -90.0, 90.0, "Latitude")
    except ValueError as exc:
        bad("lat", str(exc))
        return None
    out["lon"], out["lat"] = to_wgs84(lon, lat, system)
    reason = implausibility((out["lon"], out["lat"]), depot, radius)
    if reason:
        bad("lon", reason)
    return out if ok else None


_tmp_meta = MetaData()
_tmp = Table(
    "import_account",
    _tmp_meta,
    Column("number", String(32)),
    Column("name", String(100)),
    Column("address", String(200)),
    Column("phone", String(32)),
    Column("village", String(100)),
    Column("category", String(32)),
    Column("group_code", String(32)),
    Column("notes", Text),
    Column("lon", Float),
    Column("lat", Float),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
_COPY_COLUMNS = (
    "number",
    "name",
    "address",
    "phone",
    "village",
    "category",
    "group_code",
    "notes",
    "lon",
    "lat",
)


def _db_checks(
    session: Session,
    station: Station,
    rows: dict[str, tuple[int, dict[str, Any]]],
    report: ImportReport,
) -> dict[str, int]:
    """Numbers owned by other stations and unknown collectors; returns username -> id."""
    numbers = list(rows)
    foreign = session.scalars(
        select(Account.number).where(
            Account.number == any_(bindparam("numbers", numbers, type_=ARRAY(String))),
            Account.station_id != station.id,
        )
    ).all()
    for number in foreign:
        report.add(
            RowError(rows[number][0], "number", "This account number belongs to another station.")
        )
    usernames = sorted({r["responsible"] for _, r in rows.values() if r["responsible"]})
    collectors: dict[str, int] = (
        dict(
            session.execute(
                select(User.username, User.id).where(
                    User.username.in_(usernames),
                    User.role == Role.COLLECTOR,
                    User.active.is_(True),
                    User.id.in_(
                        select(user_station.c.user_id).where(
                            user_station.c.station_id == station.id
                        )
                    ),
                )
            ).all()
        )
        if usernames
        else {}
    )
    for row, data in rows.values():
        if data["responsible"] and data["responsible"] not in collectors:
            report.add(RowError(row, "responsible", "No such active collector in this station."))
    return collectors


def _write(
    session: Session,
    station: Station,
    rows: dict[str, tuple[int, dict[str, Any]]],
    report: ImportReport,
) -> dict[str, int]:
    conn = session.connection()
    _tmp.create(conn)
    raw = conn.connection.driver_connection
    cols = ", ".join(_COPY_COLUMNS)
    with raw.cursor() as cur, cur.copy(f"COPY import_account ({cols}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for _, data in rows.values():
            copy.write_row([data[c] for c in _COPY_COLUMNS])
    point = func.ST_SetSRID(func.ST_MakePoint(_tmp.c.lon, _tmp.c.lat), 4326)
    source = select(
        literal(station.id, Integer).label("station_id"),
        _tmp.c.number,
        _tmp.c.name,
        _tmp.c.address,
        _tmp.c.phone,
        _tmp.c.village,
        cast(_tmp.c.category, Account.__table__.c.category.type).label("category"),
        _tmp.c.group_code,
        _tmp.c.notes,
        point.label("location"),
    )
    stmt = insert(Account).from_select(
        [
            "station_id",
            "number",
            "name",
            "address",
            "phone",
            "village",
            "category",
            "group_code",
            "notes",
            "location",
        ],
        source,
    )
    excluded = stmt.excluded
    upsert: Any = stmt.on_conflict_do_update(
        index_elements=[Account.number],
        set_={
            c: excluded[c]
            for c in (
                "name",
                "address",
                "phone",
                "village",
                "category",
                "group_code",
                "notes",
                "location",
            )
        },
        where=Account.station_id == excluded.station_id,
    ).returning(Account.number, Account.id, literal_column("(xmax = 0)").label("inserted"))
    result = session.execute(upsert).all()
    if len(result) != len(rows):
        raise RuntimeError("Concurrent change: some account numbers moved to another station.")
    report.created = sum(1 for r in result if r.inserted)
    report.updated = len(result) - report.created
    _tmp.drop(conn)
    return {r.number: r.id for r in result}


def import_accounts(
    session: Session,
    station: Station,
    filename: str,
    data: bytes,
    default_system: CoordSystem,
    assigned_by: int | None,
    dry_run: bool,
) -> ImportReport:
    """Check every row; unless ``dry_run`` or a row is bad, upsert all rows by number."""
    report = ImportReport(dry_run=dry_run)
    depot_point = to_shape(station.depot)
    depot = (depot_point.x, depot_point.y)
    good: dict[str, tuple[int, dict[str, Any]]] = {}
    for row, raw in read_table(filename, data):
        report.rows += 1
        checked = _check_row(row, raw, default_system, depot, station.service_radius_m, report)
        if checked is None:
            continue
        if checked["number"] in good:
            report.add(RowError(row, "number", f"Duplicate of row {good[checked['number']][0]}."))
            continue
        good[checked["number"]] = (row, checked)
    if good:
        collectors = _db_checks(session, station, good, report)
    if dry_run or report.error_count or not good:
        report.errors.sort(key=lambda e: (e.row, e.field))
        return report
    ids = _write(session, station, good, report)
    recompute_account_territories(session, station.id)
    by_collector: dict[int, list[int]] = defaultdict(list)
    for number, (_, row_data) in good.items():
        if row_data["responsible"]:
            by_collector[collectors[row_data["responsible"]]].append(ids[number])
    today = local_today(station)
    for collector_id, account_ids in by_collector.items():
        responsibility.reassign(session, account_ids, collector_id, today, assigned_by)
    return report
