"""Bulk account import from CSV or .xlsx: validate every row, then write all or nothing.

Parsing and row checks live in :mod:`core.accounts.import_rows`. Every row is compared
with the station's accounts first (:func:`_plan`): new, updated (with the changed
fields) or unchanged; a dry run stops there, so it reports exactly what the real run
then writes. The write is one COPY into a temporary table and one ``INSERT ... SELECT
... ON CONFLICT (number) DO UPDATE`` of the new and changed rows only (an unchanged row
is not rewritten, so it adds nothing to the phones' change log). No Flask.
"""

from __future__ import annotations

import datetime as dt
import enum
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
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session

from core.accounts import gazetteer, responsibility
from core.accounts.areas import covering_territory
from core.accounts.customers import NUMBER_IN_USE, local_today
from core.accounts.import_rows import (
    ImportMode,
    ImportReport,
    RowChange,
    RowError,
    UnreadableFile,
    check_row,
    read_table,
)
from core.errors import Invalid
from core.models import (
    Account,
    AccountResponsibility,
    LocationQuality,
    Role,
    Station,
    User,
    user_station,
)
from core.stations.area import area_shape
from geo.coords import CoordSystem

__all__ = ["ImportMode", "ImportReport", "RowError", "UnreadableFile", "import_accounts"]

#: Text columns an import row sets (the location and the collector are compared apart).
_TEXT_FIELDS = (
    "name",
    "address",
    "phone",
    "village",
    "category",
    "group_code",
    "notes",
    "location_quality",
)
#: Two positions closer than this (degrees, about 1 cm) are the same place.
_SAME_PLACE_DEG = 1e-7

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
    Column("location_quality", String(16)),
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
    "location_quality",
    "responsible_id",
)


def _db_checks(
    session: Session,
    station: Station,
    rows: dict[str, tuple[int, dict[str, Any]]],
    mode: ImportMode,
    report: ImportReport,
) -> dict[str, int]:
    """Numbers owned by other stations (or existing, when only creating) and unknown
    collectors; returns username -> id."""
    numbers = list(rows)
    taken = session.execute(
        select(Account.number, Account.station_id).where(
            Account.number == any_(bindparam("numbers", numbers, type_=ARRAY(String)))
        )
    ).all()
    for number, station_id in taken:
        if station_id != station.id:
            # Numbers are unique across the county: say it is taken, never where.
            message = NUMBER_IN_USE
        elif mode is ImportMode.CREATE:
            message = (
                "This account number already exists in the station; "
                "import with mode=upsert to update it."
            )
        else:
            continue
        report.add(RowError(rows[number][0], "number", message))
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


def _place(
    session: Session,
    station: Station,
    rows: dict[str, tuple[int, dict[str, Any]]],
    report: ImportReport,
) -> None:
    """Rows without coordinates: an existing account keeps its point (and its quality); a
    new one stands at its village's gazetteer point, approximate. A village the gazetteer
    does not know, or knows in several townships, is a row error."""
    todo = {
        n: r
        for n, r in rows.items()
        if r[1]["lon"] is None and r[1]["location_quality"] == LocationQuality.APPROXIMATE.value
    }
    if not todo:
        return
    kept = session.execute(
        select(
            Account.number,
            func.ST_X(Account.location),
            func.ST_Y(Account.location),
            cast(Account.location_quality, String),
        ).where(
            Account.number == any_(bindparam("numbers", list(todo), type_=ARRAY(String))),
            Account.station_id == station.id,
        )
    ).all()
    for number, lon, lat, quality in kept:
        data = todo.pop(number)[1]
        data["lon"], data["lat"], data["location_quality"] = float(lon), float(lat), quality
    villages = {d["village"] for _, d in todo.values() if d["village"]}
    points = gazetteer.village_points(session, station.id, villages)
    for row, data in todo.values():
        if not data["village"]:
            continue  # already reported: the village is required
        found = points.get(data["village"], [])
        if not found:
            report.add(
                RowError(
                    row,
                    "village",
                    f"No lon/lat and no village {data['village']!r} in the station's "
                    "gazetteer: give coordinates or import the gazetteer first.",
                )
            )
        elif len(found) > 1:
            towns = ", ".join(t for t, _, _ in found)
            report.add(
                RowError(
                    row,
                    "village",
                    f"No lon/lat and village {data['village']!r} is in several townships "
                    f"({towns}): give coordinates.",
                )
            )
        else:
            _, data["lon"], data["lat"] = found[0]
            report.approximate += 1


def _write(
    session: Session,
    station: Station,
    rows: dict[str, tuple[int, dict[str, Any]]],
    collectors: dict[str, int],
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
        "location_quality": cast(
            _tmp.c.location_quality, Account.__table__.c.location_quality.type
        ),
        # The covering territory is set here, so no second pass rewrites every row.
        "territory_id": covering_territory(literal(station.id, Integer), point),
        # Only new accounts take it here; existing ones change hands through the history.
        "responsible_id": _tmp.c.responsible_id,
    }
    stmt = insert(Account).from_select(
        list(values), select(*(v.label(k) for k, v in values.items()))
    )
    excluded = stmt.excluded
    set_: dict[str, Any] = {
        c: excluded[c] for c in values if c not in ("station_id", "number", "responsible_id")
    }
    # As an edit by hand: the territory follows the point only when the point moves.
    set_["territory_id"] = case(
        (func.ST_Equals(Account.location, excluded.location), Account.territory_id),
        else_=excluded.territory_id,
    )
    upsert: Any = stmt.on_conflict_do_update(
        index_elements=[Account.number],
        set_=set_,
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
    _tmp.drop(conn)
    return result


def _location_change(old: tuple[float, float], new: tuple[float, float]) -> dict[str, Any] | None:
    if all(abs(a - b) < _SAME_PLACE_DEG for a, b in zip(old, new, strict=True)):
        return None
    return {"from": [round(v, 7) for v in old], "to": [round(v, 7) for v in new]}


def _plan(
    session: Session,
    station: Station,
    rows: dict[str, tuple[int, dict[str, Any]]],
    report: ImportReport,
) -> tuple[set[str], dict[str, int]]:
    """Compare each row with the station's account of that number.

    Counts created, updated (a :class:`RowChange` per account) and unchanged rows in
    ``report``; returns the numbers whose account row must be written (new or changed
    apart from the collector) and, by number, the existing accounts' ids.
    """
    numbers = list(rows)
    existing = session.execute(
        select(
            Account.number,
            Account.id,
            *(getattr(Account, f) for f in _TEXT_FIELDS),
            func.ST_X(Account.location).label("lon"),
            func.ST_Y(Account.location).label("lat"),
            User.username.label("responsible"),
        )
        .outerjoin(User, User.id == Account.responsible_id)
        .where(
            Account.number == any_(bindparam("numbers", numbers, type_=ARRAY(String))),
            Account.station_id == station.id,
        )
    ).all()
    by_number = {r.number: r for r in existing}
    to_write: set[str] = set()
    for number, (row, data) in rows.items():
        old = by_number.get(number)
        if old is None:
            report.created += 1
            to_write.add(number)
            continue
        fields: dict[str, dict[str, Any]] = {}
        for name in _TEXT_FIELDS:
            before = getattr(old, name)
            before = before.value if isinstance(before, enum.Enum) else before
            if before != data[name]:
                fields[name] = {"from": before, "to": data[name]}
        moved = _location_change((old.lon, old.lat), (data["lon"], data["lat"]))
        if moved:
            fields["location"] = moved
        if fields:
            to_write.add(number)
        if data["responsible"] and data["responsible"] != old.responsible:
            fields["responsible"] = {"from": old.responsible, "to": data["responsible"]}
        if fields:
            report.change(RowChange(row, number, old.id, fields))
        else:
            report.unchanged += 1
    return to_write, {r.number: r.id for r in existing}


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
    mode: ImportMode = ImportMode.CREATE,
) -> ImportReport:
    """Check every row and what it would change; unless ``dry_run`` or a row is bad, write.

    With ``mode`` ``create`` a number that already exists in the station is a row error;
    ``upsert`` updates those accounts. The report is the same for a dry run and the real
    run of the same file. Raises :class:`UnreadableFile` for a file that is no table, and
    :class:`Invalid` with every bad row (nothing written) for a real run with errors.
    """
    report = ImportReport(dry_run=dry_run, mode=mode)
    depot_point = to_shape(station.depot)
    depot = (depot_point.x, depot_point.y)
    area = area_shape(station)
    numbered: dict[str, tuple[int, dict[str, Any]]] = {}
    bad_rows: set[int] = set()
    for row, raw in read_table(filename, data):
        report.rows += 1
        errors_before = report.error_count
        checked = check_row(row, raw, default_system, depot, station.service_radius_m, report, area)
        number = checked["number"]
        if number is not None and number in numbered:
            report.add(RowError(row, "number", f"Duplicate of row {numbered[number][0]}."))
        elif number is not None:
            numbered[number] = (row, checked)
        if report.error_count > errors_before:
            bad_rows.add(row)
    collectors: dict[str, int] = {}
    if numbered:
        # Every row with a number, good or bad: each of its problems is reported at once.
        errors_before = report.error_count
        collectors = _db_checks(session, station, numbered, mode, report)
        _place(session, station, numbered, report)
        bad_rows.update(e.row for e in report.errors[errors_before:])
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
    good = {n: (row, d) for n, (row, d) in numbered.items() if row not in bad_rows}
    to_write, existing = _plan(session, station, good, report) if good else (set(), {})
    if dry_run or not good:
        return report
    result = _write(session, station, {n: good[n] for n in good if n in to_write}, collectors)
    today = local_today(station)
    _open_history(session, [r.id for r in result if r.inserted], today, assigned_by)
    # Existing accounts change hands through the history (a no-op for the same collector).
    by_collector: dict[int, list[int]] = defaultdict(list)
    for number in good.keys() & existing.keys():
        wanted = good[number][1]["responsible"]
        if wanted:
            by_collector[collectors[wanted]].append(existing[number])
    for collector_id, account_ids in by_collector.items():
        responsibility.reassign(session, account_ids, collector_id, today, assigned_by)
    session.expire_all()
    return report
