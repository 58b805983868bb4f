"""Bulk account import from CSV or .xlsx: validate every row, then upsert all or nothing.

Parsing and row checks live in :mod:`core.accounts.import_rows`; the write is one
COPY into a temporary table and one ``INSERT ... SELECT ... ON CONFLICT (number)
DO UPDATE``. No Flask.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import (
    Column,
    Date,
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

from core.accounts import responsibility
from core.accounts.areas import covering_territory
from core.accounts.customers import local_today
from core.accounts.import_rows import (
    ImportReport,
    RowError,
    UnreadableFile,
    check_row,
    read_table,
)
from core.errors import Invalid
from core.models import Account, AccountResponsibility, Role, Station, User, user_station
from geo.coords import CoordSystem

__all__ = ["ImportReport", "RowError", "UnreadableFile", "import_accounts"]

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
    Column("responsible_id", Integer),
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
    "responsible_id",
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
    collectors: dict[str, int],
    report: ImportReport,
) -> Sequence[Any]:
    """COPY the rows to a temporary table and upsert them; territory set in the same statement."""
    conn = session.connection()
    _tmp.create(conn)
    raw = conn.connection.driver_connection
    cols = ", ".join(_COPY_COLUMNS)
    with raw.cursor() as cur, cur.copy(f"COPY import_account ({cols}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for _, data in rows.values():
            wanted = collectors.get(data["responsible"]) if data["responsible"] else None
            copy.write_row([data[c] for c in _COPY_COLUMNS[:-1]] + [wanted])
    point = func.ST_SetSRID(func.ST_MakePoint(_tmp.c.lon, _tmp.c.lat), 4326)
    values = {
        "station_id": literal(station.id, Integer),
        "number": _tmp.c.number,
        "name": _tmp.c.name,
        "address": _tmp.c.address,
        "phone": _tmp.c.phone,
        "village": _tmp.c.village,
        "category": cast(_tmp.c.category, Account.__table__.c.category.type),
        "group_code": _tmp.c.group_code,
        "notes": _tmp.c.notes,
        "location": point,
        # The covering territory is set here, so no second pass rewrites every row.
        "territory_id": covering_territory(literal(station.id, Integer), point),
        # Only new accounts take it here; existing ones change hands through the history.
        "responsible_id": _tmp.c.responsible_id,
    }
    stmt = insert(Account).from_select(
        list(values), select(*(v.label(k) for k, v in values.items()))
    )
    excluded = stmt.excluded
    upsert: Any = stmt.on_conflict_do_update(
        index_elements=[Account.number],
        set_={
            c: excluded[c] for c in values if c not in ("station_id", "number", "responsible_id")
        },
        where=Account.station_id == excluded.station_id,
    ).returning(
        Account.number,
        Account.id,
        Account.responsible_id,
        literal_column("(xmax = 0)").label("inserted"),
    )
    result = session.execute(upsert).all()
    if len(result) != len(rows):
        raise RuntimeError("Concurrent change: some account numbers moved to another station.")
    report.created = sum(1 for r in result if r.inserted)
    report.updated = len(result) - report.created
    _tmp.drop(conn)
    return result


def _open_history(
    session: Session, created: list[int], on: dt.date, assigned_by: int | None
) -> None:
    """History rows for new accounts that came with a responsible collector (one statement)."""
    if not created:
        return
    source = select(
        Account.id,
        Account.responsible_id,
        literal(on, Date),
        literal(assigned_by, Integer),
    ).where(
        Account.id == any_(bindparam("created", created, type_=ARRAY(Integer))),
        Account.responsible_id.is_not(None),
    )
    session.execute(
        insert(AccountResponsibility).from_select(
            ["account_id", "collector_id", "valid_from", "assigned_by"], source
        )
    )


def import_accounts(
    session: Session,
    station: Station,
    filename: str,
    data: bytes,
    default_system: CoordSystem,
    assigned_by: int | None,
    dry_run: bool,
) -> ImportReport:
    """Check every row; unless ``dry_run`` or a row is bad, upsert all rows by number.

    Raises :class:`UnreadableFile` for a file that is no table, and :class:`Invalid`
    with every bad row (nothing written) for a real run with errors.
    """
    report = ImportReport(dry_run=dry_run)
    depot_point = to_shape(station.depot)
    depot = (depot_point.x, depot_point.y)
    good: dict[str, tuple[int, dict[str, Any]]] = {}
    for row, raw in read_table(filename, data):
        report.rows += 1
        checked = check_row(row, raw, default_system, depot, station.service_radius_m, report)
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
        if report.error_count and not dry_run:
            raise Invalid(
                {
                    "file": {
                        "error_count": report.error_count,
                        "rows": [asdict(e) for e in report.errors],
                    }
                },
                detail=f"{report.error_count} problems in the file; nothing was imported.",
                location="files",
            )
        return report
    result = _write(session, station, good, collectors, report)
    today = local_today(station)
    _open_history(session, [r.id for r in result if r.inserted], today, assigned_by)
    by_collector: dict[int, list[int]] = defaultdict(list)
    for r in result:
        wanted = good[r.number][1]["responsible"]
        if not r.inserted and wanted and collectors[wanted] != r.responsible_id:
            by_collector[collectors[wanted]].append(r.id)
    for collector_id, account_ids in by_collector.items():
        responsibility.reassign(session, account_ids, collector_id, today, assigned_by)
    session.expire_all()
    return report
