"""Benchmark: import N accounts (default 50,000) from CSV, dry run then real run.

Prints wall time per phase and peak memory (Python heap via tracemalloc and the
process's max RSS). Writes into a scratch database; never point it at production.

    createdb -h 127.0.0.1 -U postgres -T arrears_dev arrears_acc_dev
    .venv/bin/python bench/import_accounts.py \
        --url postgresql+psycopg://postgres@127.0.0.1:5432/arrears_acc_dev --rows 50000
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geoalchemy2.shape import to_shape  # noqa: E402
from sqlalchemy import create_engine, func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from core.accounts.importer import ImportMode, import_accounts  # noqa: E402
from core.models import Account, Station  # noqa: E402
from geo.coords import CoordSystem, wgs84_to_gcj02  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_csv(
    rows: int, depot: tuple[float, float], prefix: str, seed: int = 1, responsible: str = ""
) -> bytes:
    """A realistic CSV: Chinese names, villages, a third of the rows in GCJ-02."""
    rng = random.Random(seed)
    out = io.StringIO()
    out.write("number,name,address,phone,village,category,lon,lat,system,responsible\n")
    for i in range(rows):
        lon = depot[0] + rng.uniform(-0.25, 0.25)
        lat = depot[1] + rng.uniform(-0.2, 0.2)
        system = "wgs84"
        if i % 3 == 0:
            lon, lat = wgs84_to_gcj02(lon, lat)
            system = "gcj02"
        village = f"{rng.choice(SURNAMES)}家{rng.randint(1, 60)}村"
        out.write(
            f"{prefix}{i:08d},{rng.choice(SURNAMES)}{rng.choice('明华强伟芳娟军')},"
            f"{village}{rng.randint(1, 300)}号,1380000{i % 10000:04d},{village},"
            f"{'residential' if i % 10 else 'non_residential'},{lon:.6f},{lat:.6f},{system},"
            f"{responsible}\n"
        )
    return out.getvalue().encode("utf-8")


def to_xlsx(data: bytes) -> bytes:
    """The same table as an .xlsx workbook (numbers as numbers, like a real export)."""
    import csv

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    rows = csv.reader(io.StringIO(data.decode("utf-8")))
    sheet.append(next(rows))
    for r in rows:
        sheet.append([*r[:6], float(r[6]), float(r[7]), *r[8:]])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def run(
    url: str,
    rows: int,
    station_code: str | None,
    trace: bool,
    responsible: str,
    prefix: str,
    fmt: str = "csv",
    mode: ImportMode = ImportMode.CREATE,
) -> None:
    engine = create_engine(url)
    with Session(engine) as session:
        stmt = select(Station).order_by(Station.id)
        if station_code:
            stmt = stmt.where(Station.code == station_code)
        station = session.scalars(stmt).first()
        assert station is not None, "no station"
        depot = to_shape(station.depot)
        data = make_csv(
            rows,
            (depot.x, depot.y),
            prefix or f"B{int(time.time()) % 100000:05d}",
            responsible=responsible,
        )
        if fmt == "xlsx":
            data = to_xlsx(data)
        print(f"station {station.code}, {rows} rows, {fmt} {len(data) / 1e6:.1f} MB")
        for dry_run in (True, False):
            if trace:  # tracemalloc slows Python code several times: time without it
                tracemalloc.start()
            t0 = time.perf_counter()
            report = import_accounts(
                session, station, f"bench.{fmt}", data, CoordSystem.WGS84, None, dry_run, mode
            )
            elapsed = time.perf_counter() - t0
            if not dry_run:
                t1 = time.perf_counter()
                session.commit()
                elapsed_commit = time.perf_counter() - t1
            peak = tracemalloc.get_traced_memory()[1] if trace else 0
            tracemalloc.stop()
            label = "dry run" if dry_run else "import "
            extra = f", commit {elapsed_commit:.2f} s" if not dry_run else ""
            print(
                f"{label}: {elapsed:.2f} s{extra}; created {report.created}, "
                f"updated {report.updated}, unchanged {report.unchanged}, "
                f"errors {report.error_count}"
                + (f"; Python heap peak {peak / 1e6:.1f} MB" if trace else "")
                + f"; max RSS so far {rss_mb():.0f} MB"
            )
        total = session.scalar(
            select(func.count()).select_from(Account).where(Account.station_id == station.id)
        )
        print(f"accounts in station now: {total}")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/arrears_acc_dev"
    )
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--station", default=None, help="station code (default: the first)")
    parser.add_argument(
        "--trace", action="store_true", help="also measure the Python heap peak (slow)"
    )
    parser.add_argument("--responsible", default="", help="collector username for every row")
    parser.add_argument("--prefix", default="", help="account number prefix (reuse it to upsert)")
    parser.add_argument("--mode", choices=[m.value for m in ImportMode], default="create")
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    args = parser.parse_args()
    run(
        args.url,
        args.rows,
        args.station,
        args.trace,
        args.responsible,
        args.prefix,
        args.format,
        ImportMode(args.mode),
    )
