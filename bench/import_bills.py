"""Benchmark: the month's bills for N accounts (default 100,000) from CSV: dry run, apply,
the same file again (idempotent), then a file re-billing 1 % of them.

Prints wall time per phase and this process's CPU time (the wall time includes the
database's work and, on a shared machine, the wait for a core; ``uptime`` says how
busy). Makes its own station and N accounts (numbers with a fresh prefix) in a scratch
database; never point it at production.

    nice -n 10 .venv/bin/python bench/import_bills.py \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/arrears_bench --rows 100000
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from core.models import Bill, County, Station  # noqa: E402
from core.money.bill_import import import_bills  # noqa: E402
from tests.factories import point  # noqa: E402


def _station(session: Session, prefix: str) -> Station:
    county = session.scalars(select(County).where(County.code == "BENCH")).first()
    if county is None:
        county = County(code="BENCH", name="基准县")
        session.add(county)
        session.flush()
    station = Station(
        county_id=county.id, code=f"BN{prefix}", name="基准供电所", depot=point(110.3, 34.14)
    )
    session.add(station)
    session.flush()
    return station


def _accounts(session: Session, station: Station, rows: int, prefix: str) -> None:
    session.execute(
        text(
            "INSERT INTO account (station_id, number, name, address, village, category, location)"
            " SELECT :s, :p || lpad(i::text, 8, '0'), '户' || i, '基准村' || i || '号', '基准村',"
            " 'residential', ST_SetSRID(ST_MakePoint(110.3 + (i % 100) * 0.001,"
            " 34.14 + (i / 100 % 100) * 0.001), 4326) FROM generate_series(1, :n) AS i"
        ),
        {"s": station.id, "p": prefix, "n": rows},
    )


def make_csv(rows: int, prefix: str, rebill_every: int = 0, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    out.write("account_number,period,amount,due_date,category,reading_from,reading_to\n")
    for i in range(1, rows + 1):
        amount = rng.randint(1500, 40000) / 100
        if rebill_every and i % rebill_every == 0:
            amount += 1.25
        start = rng.randint(0, 90000)
        out.write(
            f"{prefix}{i:08d},2026-11,{amount:.2f},2026-12-10,residential,{start},"
            f"{start + rng.randint(20, 600)}\n"
        )
    return out.getvalue().encode()


def run(url: str, rows: int) -> None:
    from alembic import command

    from core.db import ensure_database
    from tests.conftest import alembic_config

    ensure_database(url)  # a new scratch database at the head migration
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    prefix = f"B{int(time.time()) % 100000:05d}"
    with Session(engine) as session:
        station = _station(session, prefix)
        actor = session.scalar(text("SELECT id FROM app_user ORDER BY id LIMIT 1"))
        if actor is None:
            actor = session.scalar(
                text(
                    "INSERT INTO app_user (username, display_name, password_hash, role, active,"
                    " token_version, must_change_password) VALUES ('bench', 'bench', 'x', "
                    "'admin', false, 1, false) RETURNING id"
                )
            )
        t0 = time.perf_counter()
        _accounts(session, station, rows, prefix)
        session.commit()
        print(f"station {station.code}: {rows} accounts made in {time.perf_counter() - t0:.1f} s")
        data = make_csv(rows, prefix)
        print(f"bills file: {rows} rows, csv {len(data) / 1e6:.1f} MB")
        steps = (
            ("dry run", data, True),
            ("apply", data, False),
            ("same file again", data, False),
            ("re-billed 1 % dry run", make_csv(rows, prefix, 100), True),
            ("re-billed 1 % apply", make_csv(rows, prefix, 100), False),
        )
        for label, body, dry_run in steps:
            t0, c0 = time.perf_counter(), time.process_time()
            report = import_bills(session, station, "bench.csv", body, actor, dry_run)
            session.commit()
            print(
                f"{label}: {time.perf_counter() - t0:.2f} s wall, "
                f"{time.process_time() - c0:.2f} s CPU of this process; "
                f"created {report.created}, "
                f"re-billed {report.rebilled}, unchanged {report.unchanged}, "
                f"errors {report.error_count}"
            )
        total = session.scalar(
            select(func.count())
            .select_from(Bill)
            .where(
                Bill.account_id.in_(text(f"SELECT id FROM account WHERE station_id = {station.id}"))
            )
        )
        print(f"bills in station now: {total}")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/arrears_bench"
    )
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    run(args.url, args.rows)
