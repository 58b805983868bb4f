"""The station's village gazetteer: import (name, township, point) from CSV/.xlsx, and the
lookup that places an account without coordinates at its village's point. No Flask.

Keyed by (station, township, name): loading the same file again changes nothing, a moved
point updates the village (accounts already placed keep their point; only new imports use
the new one). A dry run reports exactly what the real run does; the real run is all or
nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.accounts.import_rows import (
    _CONTROL,
    MAX_REPORTED_ERRORS,
    RowError,
    _coordinate,
    _text,
    read_rows,
)
from core.errors import Invalid
from core.models import Station, VillagePlace
from core.stations.area import area_shape
from geo.coords import CoordSystem, to_wgs84
from geo.placement import implausibility

__all__ = [
    "GAZETTEER_COLUMN_DOCS",
    "GazetteerReport",
    "import_gazetteer",
    "village_points",
]

GAZETTEER_COLUMNS = ("name", "township", "lon", "lat", "system")
GAZETTEER_REQUIRED = ("name", "township", "lon", "lat")
GAZETTEER_ALIASES = {"村": "name", "村名": "name", "乡镇": "township", "经度": "lon", "纬度": "lat"}
GAZETTEER_COLUMN_DOCS = {
    "name": "Village (村), at most 100 characters, as account lists spell it (header 村/村名).",
    "township": "Township (乡镇), at most 100 characters (header 乡镇).",
    "lon": "Longitude of the village's centre (header 经度).",
    "lat": "Latitude (header 纬度); the point must lie in the station's service area.",
    "system": "`wgs84`, `gcj02` or `bd09`; blank takes the form's `system`.",
}
_LIMIT = 100
#: Two village points closer than this (degrees, about 1 cm) are the same.
_SAME_PLACE_DEG = 1e-7


@dataclass
class GazetteerReport:
    """What the import does (a dry run: would do)."""

    rows: int = 0
    created: int = 0
    moved: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = True

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)


def _check(
    row: int, raw: dict[str, Any], system: CoordSystem, station: Station, area: Any, report: Any
) -> tuple[str, str, float, float] | None:
    before = report.error_count
    names: dict[str, str] = {}
    for column in ("name", "township"):
        text = _text(raw.get(column))
        if text is None:
            report.add(RowError(row, column, "Missing value."))
        elif _CONTROL.search(text):
            report.add(RowError(row, column, "Control characters are not allowed."))
        elif len(text) > _LIMIT:
            report.add(RowError(row, column, f"Longer than {_LIMIT} characters."))
        else:
            names[column] = text
    try:
        row_system = CoordSystem((_text(raw.get("system")) or system.value).lower())
    except ValueError:
        report.add(RowError(row, "system", "One of wgs84, gcj02, bd09."))
        row_system = None
    lonlat: list[float] = []
    for column, low, high, label in (
        ("lon", -180.0, 180.0, "Longitude"),
        ("lat", -90.0, 90.0, "Latitude"),
    ):
        try:
            lonlat.append(_coordinate(raw.get(column), low, high, label))
        except ValueError as exc:
            report.add(RowError(row, column, str(exc)))
    if report.error_count > before or row_system is None:
        return None
    lon, lat = to_wgs84(lonlat[0], lonlat[1], row_system)
    depot = to_shape(station.depot)
    reason = implausibility((lon, lat), (depot.x, depot.y), station.service_radius_m, area)
    if reason:
        report.add(RowError(row, "lon", reason))
        return None
    return names["name"], names["township"], lon, lat


def import_gazetteer(
    session: Session,
    station: Station,
    filename: str,
    data: bytes,
    system: CoordSystem,
    dry_run: bool,
) -> GazetteerReport:
    """Check every row; unless ``dry_run`` or a row is bad, create or move the villages.

    Raises :class:`~core.accounts.import_rows.UnreadableFile` for a file that is no table
    and :class:`Invalid` with every bad row (nothing written) for a real run with errors.
    """
    report = GazetteerReport(dry_run=dry_run)
    area = area_shape(station)
    rows: dict[tuple[str, str], tuple[int, float, float]] = {}
    for row, raw in read_rows(
        filename, data, GAZETTEER_COLUMNS, GAZETTEER_REQUIRED, GAZETTEER_ALIASES
    ):
        report.rows += 1
        checked = _check(row, raw, system, station, area, report)
        if checked is None:
            continue
        name, township, lon, lat = checked
        key = (township, name)
        if key in rows:
            report.add(RowError(row, "name", f"Duplicate of row {rows[key][0]}."))
            continue
        rows[key] = (row, lon, lat)
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
    existing = {
        (p.township, p.name): p
        for p in session.scalars(select(VillagePlace).where(VillagePlace.station_id == station.id))
    }
    for key, (_, lon, lat) in rows.items():
        place = existing.get(key)
        if place is None:
            report.created += 1
            if not dry_run:
                session.add(
                    VillagePlace(
                        station_id=station.id,
                        township=key[0],
                        name=key[1],
                        location=func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326),
                    )
                )
            continue
        old = to_shape(place.location)
        if abs(old.x - lon) < _SAME_PLACE_DEG and abs(old.y - lat) < _SAME_PLACE_DEG:
            report.unchanged += 1
            continue
        report.moved += 1
        if not dry_run:
            place.location = func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)
    if not dry_run:
        session.flush()
    return report


def village_points(
    session: Session, station_id: int, names: set[str]
) -> dict[str, list[tuple[str, float, float]]]:
    """By village name: every gazetteer entry of that name in the station as
    ``(township, lon, lat)`` (two entries: the name is ambiguous across townships)."""
    if not names:
        return {}
    found: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    for name, township, lon, lat in session.execute(
        select(
            VillagePlace.name,
            VillagePlace.township,
            func.ST_X(VillagePlace.location),
            func.ST_Y(VillagePlace.location),
        )
        .where(VillagePlace.station_id == station_id)
        .where(VillagePlace.name.in_(sorted(names)))
        .order_by(VillagePlace.township)
    ):
        found[name].append((township, float(lon), float(lat)))
    return found
