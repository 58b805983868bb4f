"""Plan a station day on a real road network: prints figures, is not a test.

The Andorra extract of /work/shared/data/osm (2013 OpenStreetMap, steep valleys) is
imported with osm2pgrouting into the scratch database ``arrears_roads_plan`` (schema
``roads``, as `docs/road_network.md` describes), the app's schema is migrated next to it,
and a made-up station is seeded there once: households at random road vertices moved up to
``--jitter-m`` metres (some beyond the snapping distance, so the fallback is exercised),
each with a year of monthly bills (the last one to three unpaid, the older ones paid
online as often as the household's habit says), and ``--collectors`` motorbike
collectors sharing one territory. Then the same day is planned twice through
``core.planning.compute_plan``: with the provider the plan jobs choose
(``TRAVEL_MATRIX=auto``: the roads here) and with great-circle times, and both plans'
routes are walked on the road times to show what planning without the network costs
(late arrivals, shifts overrun).

Usage::

    .venv/bin/python -m bench.plan_roads --time-limit 10
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from api import create_app
from bench.matrix import SCHEMA, ensure_network, household_points
from core.db import upgrade_database
from core.models import (
    Account,
    AccountResponsibility,
    Bill,
    Category,
    Channel,
    County,
    Role,
    Station,
    Territory,
    TravelMode,
)
from core.money.payments import PaymentInput, channel_payment_id, record_payment
from core.planning import compute_plan
from core.planning.draft import PlanDraft, PlanRequest
from core.planning.travel import station_travel
from core.scope import Scope
from core.users.staff import NewUser, create_user
from geo.travel import GreatCircleProvider, MatrixProvider

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/arrears_roads_plan"
CODE = "AD-BENCH"
DEPOT = (1.5218, 42.5063)  # Andorra la Vella
SHIFT_END_S = 17 * 3600 + 1800  # the default shift of a collector without a profile
TZ = ZoneInfo("Asia/Shanghai")  # the bench station's time zone


def seed(url: str, households: int, collectors: int, jitter_m: float) -> None:
    """The bench station, once: households near roads with overdue bills."""
    app = create_app(DATABASE_URL=url, DEMO=True)
    engine = create_engine(url)
    with Session(engine) as s:
        if s.scalar(select(Station.id).where(Station.code == CODE)) is not None:
            return
        rng = random.Random(7)
        county = County(code="AD", name="安道尔（路网基准）")
        s.add(county)
        s.flush()
        station = Station(
            county_id=county.id,
            code=CODE,
            name="路网基准供电所",
            depot=f"SRID=4326;POINT({DEPOT[0]} {DEPOT[1]})",
            timezone="Asia/Shanghai",
            service_radius_m=40_000,
        )
        s.add(station)
        s.flush()
        boss = create_user(
            s,
            app.extensions["passwords"],
            NewUser("ad-admin", "bench-only-pw", Role.ADMIN, "管理员"),
        )
        admin = Scope(boss.id, Role.ADMIN, frozenset())
        users = [
            create_user(
                s,
                app.extensions["passwords"],
                NewUser(
                    f"ad-collector{k + 1:02d}",
                    "bench-only-pw",
                    Role.COLLECTOR,
                    f"收费员{k + 1}",
                    (CODE,),
                ),
            )
            for k in range(collectors)
        ]
        extent = s.scalar(
            text(
                "SELECT ST_AsText(ST_Multi(ST_Buffer(ST_Envelope(ST_Extent(the_geom)), 0.02))) "
                f"FROM {SCHEMA}.ways"
            )
        )
        territory = Territory(
            station_id=station.id, name="全境", area=f"SRID=4326;{extent}", collectors=users
        )
        s.add(territory)
        s.flush()
        points = household_points(s.connection(), households, np.random.default_rng(7), jitter_m)
        today = dt.date.today()
        for i, (lon, lat) in enumerate(points):
            who = users[i % collectors]
            acc = Account(
                station_id=station.id,
                number=f"AD{i:08d}",
                name=f"住户{i}",
                address=f"安道尔{i}号",
                phone="13800000000",
                village=f"村{i % 12}",
                category=Category.RESIDENTIAL,
                location=f"SRID=4326;POINT({lon} {lat})",
                responsible_id=who.id,
                territory_id=territory.id,
            )
            s.add(acc)
            s.flush()
            s.add(
                AccountResponsibility(
                    account_id=acc.id, collector_id=who.id, valid_from=dt.date(2020, 1, 1)
                )
            )
            # A year of bills: the last one to three unpaid, the older ones paid online
            # on their due date as often as this household's habit says.
            habit = rng.choice((0.95, 0.7, 0.3))
            unpaid = rng.randint(1, 3)
            amount = Decimal(f"{rng.lognormvariate(4.5, 0.8):.2f}")
            for k in range(12):
                due = today - dt.timedelta(days=20 + 30 * k)
                s.add(
                    Bill(account_id=acc.id, period=due.replace(day=1), amount=amount, due_date=due)
                )
                s.flush()
                if k >= unpaid and rng.random() < habit:
                    at = dt.datetime.combine(due, dt.time(12), dt.UTC)
                    txn = f"ADB{acc.id}-{k}"
                    pay = PaymentInput(
                        channel_payment_id(Channel.ALIPAY, txn),
                        acc.id,
                        amount,
                        Channel.ALIPAY,
                        at,
                        channel_txn_id=txn,
                    )
                    record_payment(s, admin, pay, now=at, skip_authorization=True)
        s.commit()
    engine.dispose()


def retime(draft: PlanDraft, provider: MatrixProvider, service_s: int) -> tuple[int, int, int]:
    """Walk each planned route on ``provider``'s times, waiting where the plan waits:
    (stops reached more than 15 minutes after their planned time, routes back after the
    shift end, travel seconds)."""
    late = over = travel = 0
    for r in draft.routes:
        if not r.stops:
            continue
        secs = provider.matrix(list(r.path), TravelMode.MOTORBIKE).seconds
        day_start = dt.datetime.combine(draft.plan_date, dt.time(0), TZ)
        t = r.stops[0].eta - dt.timedelta(seconds=int(secs[0, 1]))  # planned departure
        for k, stop in enumerate(r.stops, 1):
            leg = int(secs[k - 1, k])
            travel += leg
            t = max(t + dt.timedelta(seconds=leg), stop.eta)
            late += t > stop.eta + dt.timedelta(minutes=15)
            t += dt.timedelta(seconds=service_s)
        back = int(secs[len(r.path) - 2, len(r.path) - 1])
        travel += back
        over += (t + dt.timedelta(seconds=back) - day_start).total_seconds() > SHIFT_END_S
    return late, over, travel


def plan(
    session: Session, station_id: int, day: dt.date, limit: float, provider: MatrixProvider
) -> tuple[PlanDraft, float]:
    t0 = time.monotonic()
    draft = compute_plan(session, PlanRequest(station_id, day, time_limit=limit), provider)
    return draft, time.monotonic() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=URL)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--households", type=int, default=600)
    ap.add_argument("--collectors", type=int, default=3)
    ap.add_argument("--jitter-m", type=float, default=300.0)
    args = ap.parse_args()
    ensure_network(args.url)
    upgrade_database(args.url)
    seed(args.url, args.households, args.collectors, args.jitter_m)
    engine = create_engine(args.url)
    with Session(engine) as s:
        station_id = s.scalars(select(Station.id).where(Station.code == CODE)).one()
        day = dt.date.today() + dt.timedelta(days=1)
        t0 = time.monotonic()
        roads = station_travel(s, station_id, "auto")
        print(f"provider chosen in {time.monotonic() - t0:.2f} s: {roads.key[:60]}...")
        gc = GreatCircleProvider()
        rows = []
        for name, provider in (("roads (auto)", roads), ("great-circle", gc)):
            draft, secs = plan(s, station_id, day, args.time_limit, provider)
            pts = [p for r in draft.routes for p in r.path]
            m = roads.matrix(pts, TravelMode.MOTORBIKE)
            late, over, travel = retime(draft, roads, 600)
            s.rollback()
            rows.append((name, secs, draft, late, over, travel, m.estimated.mean()))
        print(
            f"{args.households} households, {args.collectors} collectors, "
            f"limit {args.time_limit:g} s"
        )
        print(
            "| planned on | plan wall | stops | expected yuan | on roads: late > 15 min "
            "| routes past shift end | travel h planned / on roads | fallback cells |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, secs, draft, late, over, travel, est in rows:
            stops = sum(len(r.stops) for r in draft.routes)
            planned = sum(r.travel_seconds for r in draft.routes)
            print(
                f"| {name} | {secs:.1f} s | {stops} | {draft.summary['expected_value']} | "
                f"{late} | {over} | {planned / 3600:.1f} / {travel / 3600:.1f} | {est:.1%} |"
            )
    engine.dispose()


if __name__ == "__main__":
    main()
