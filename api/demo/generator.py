"""Deterministic demo county: stations, villages along valleys, accounts, a year of
bills and payments, territories, collectors and past visits."""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from geoalchemy2.elements import WKTElement
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from api.auth.passwords import Passwords
from api.demo import places
from api.demo.truth import behaviour
from api.users.service import NewUser, create_user
from geo.fees import late_fee
from geo.models import (
    Account,
    AccountResponsibility,
    Bill,
    Category,
    Channel,
    County,
    EntryKind,
    Outcome,
    Payment,
    PaymentAllocation,
    Role,
    Station,
    Territory,
    TravelMode,
    User,
    Visit,
    territory_collector,
)

NS = uuid.UUID("2f1c7d0e-5b7a-4c4e-9a8e-6d1f0b3c9a11")
TZ = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has no DST
PRICE = {
    Category.RESIDENTIAL: Decimal("0.4983"),
    Category.NON_RESIDENTIAL: Decimal("0.6500"),
    Category.TEMPORARY: Decimal("0.8000"),
    Category.GROUP_MEMBER: Decimal("0.6500"),
}
ONLINE = [
    Channel.ALIPAY,
    Channel.WECHAT,
    Channel.BANK,
    Channel.COUNTER,
    Channel.KIOSK,
    Channel.PREPAID,
]
ONLINE_WEIGHTS = [30, 28, 15, 12, 8, 7]

DEMO_PASSWORDS = {
    "admin": "admin-demo",
    "supervisor": "supervisor-demo",
    "collector": "collector-demo",
}


@dataclass
class DemoLogin:
    username: str
    password: str
    role: str
    station: str


@dataclass
class SeedReport:
    stations: int = 0
    accounts: int = 0
    bills: int = 0
    payments: int = 0
    visits: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


def _point(lon: float, lat: float) -> WKTElement:
    return WKTElement(f"POINT({lon:.7f} {lat:.7f})", srid=4326)


def _offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    return (
        lon + east_m / (111_320.0 * math.cos(math.radians(lat))),
        lat + north_m / 110_540.0,
    )


def _months_back(today: dt.date, n: int) -> list[dt.date]:
    """The ``n`` most recent billing periods whose bills were issued by ``today``."""
    first = dt.date(today.year, today.month, 1)
    periods = []
    y, m = first.year, first.month
    for _ in range(n):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        periods.append(dt.date(y, m, 1))
    return sorted(periods)


def _due(period: dt.date) -> dt.date:
    y, m = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return dt.date(y, m, 10)


def _villages(rng: random.Random, depot: tuple[float, float], n: int) -> list[dict[str, object]]:
    """Villages strung along 4-6 winding valleys that leave the station's town."""
    valleys = rng.randint(4, 6)
    names: set[str] = set()
    out: list[dict[str, object]] = []
    base_heading = rng.uniform(0, 2 * math.pi)
    for v in range(valleys):
        heading = base_heading + v * 2 * math.pi / valleys + rng.uniform(-0.3, 0.3)
        lon, lat = depot
        count = n // valleys + (1 if v < n % valleys else 0)
        for k in range(count):
            heading += rng.uniform(-0.45, 0.45)  # the valley winds
            step = rng.uniform(1200, 3200)
            lon, lat = _offset(lon, lat, step * math.sin(heading), step * math.cos(heading))
            while True:
                name = rng.choice(places.VILLAGE_HEADS) + rng.choice(places.VILLAGE_FEATURES) + "村"
                if name not in names:
                    names.add(name)
                    break
            out.append(
                {
                    "name": name,
                    "lon": lon,
                    "lat": lat,
                    "valley": v,
                    "order": k,
                    "weight": rng.lognormvariate(0, 0.5),
                }
            )
    return out


def _bill_amount(
    rng: random.Random, category: Category, period: dt.date, base_kwh: float
) -> Decimal:
    season = 1.35 if period.month in (1, 2, 7, 8, 12) else 1.0
    kwh = max(15.0, rng.gauss(base_kwh * season, base_kwh * 0.15))
    return (Decimal(str(round(kwh))) * PRICE[category]).quantize(Decimal("0.01"))


def seed_demo(
    session: Session, passwords: Passwords, *, accounts: int, seed: int, today: dt.date
) -> SeedReport:
    """Fill an empty database with the demo county. Deterministic for (accounts, seed, today)."""
    report = SeedReport()
    county = County(code=places.COUNTY[0], name=places.COUNTY[1])
    session.add(county)
    session.flush()
    admin = create_user(
        session,
        passwords,
        NewUser("admin", DEMO_PASSWORDS["admin"], Role.ADMIN, "系统管理员"),
    )
    report.logins.append(DemoLogin(admin.username, DEMO_PASSWORDS["admin"], "admin", "all"))
    for s_idx, (code, name, town, depot, share, n_collectors) in enumerate(places.STATIONS):
        rng = random.Random(f"{seed}:{code}")
        station = Station(
            county_id=county.id,
            code=code,
            name=name,
            depot=_point(*depot),
            timezone="Asia/Shanghai",
            service_radius_m=40_000,
        )
        session.add(station)
        session.flush()
        n_accounts = max(20, round(accounts * share))
        _seed_station(
            session,
            passwords,
            rng,
            report,
            station,
            s_idx,
            town,
            depot,
            n_accounts,
            n_collectors,
            seed,
            today,
        )
        report.stations += 1
    return report


def _seed_station(
    session: Session,
    passwords: Passwords,
    rng: random.Random,
    report: SeedReport,
    station: Station,
    s_idx: int,
    town: str,
    depot: tuple[float, float],
    n_accounts: int,
    n_collectors: int,
    seed: int,
    today: dt.date,
) -> None:
    # 20-36 villages for a real station; never fewer than two per collector.
    n_villages = max(2 * n_collectors, min(36, 20 + n_accounts // 1000))
    villages = _villages(rng, depot, n_villages)
    suffix = station.code.split("-")[-1].lower()

    sup_name = f"supervisor-{suffix}" if s_idx else "supervisor"
    supervisor = create_user(
        session,
        passwords,
        NewUser(
            sup_name,
            DEMO_PASSWORDS["supervisor"],
            Role.SUPERVISOR,
            rng.choice(places.SURNAMES) + "所长",
            station_codes=(station.code,),
        ),
    )
    report.logins.append(
        DemoLogin(sup_name, DEMO_PASSWORDS["supervisor"], "supervisor", station.name)
    )

    # Territories: villages in valley order, cut into contiguous runs of equal length.
    villages.sort(key=lambda v: (v["valley"], v["order"]))
    for idx, v in enumerate(villages):
        v["territory"] = idx * n_collectors // len(villages)

    collectors = []
    for c in range(n_collectors):
        vs = [v for v in villages if v["territory"] == c] or villages[:1]
        home_v = rng.choice(vs)
        home = _offset(
            float(home_v["lon"]), float(home_v["lat"]), rng.gauss(0, 200), rng.gauss(0, 200)
        )  # type: ignore[arg-type]
        username = f"collector-{suffix}-{c + 1:02d}" if s_idx else f"collector{c + 1:02d}"
        user = create_user(
            session,
            passwords,
            NewUser(
                username,
                DEMO_PASSWORDS["collector"],
                Role.COLLECTOR,
                rng.choice(places.SURNAMES) + rng.choice(places.GIVEN),
                station_codes=(station.code,),
                home=home,
                travel_mode=rng.choice([TravelMode.MOTORBIKE] * 4 + [TravelMode.CAR]),
                phone=f"13{rng.randint(100000000, 999999999)}",
            ),
        )
        collectors.append(user)
        report.logins.append(
            DemoLogin(username, DEMO_PASSWORDS["collector"], "collector", station.name)
        )

    _territories(session, station, villages, collectors, depot)

    # Accounts clustered around villages.
    weights = [float(v["weight"]) for v in villages]  # type: ignore[arg-type]
    periods = _months_back(today, 12)
    account_rows = []
    for i in range(n_accounts):
        v = rng.choices(villages, weights)[0]
        spread = rng.uniform(120, 450)
        lon, lat = _offset(
            float(v["lon"]), float(v["lat"]), rng.gauss(0, spread), rng.gauss(0, spread)
        )  # type: ignore[arg-type]
        pick = rng.random()
        category = (
            Category.RESIDENTIAL
            if pick < 0.88
            else Category.NON_RESIDENTIAL
            if pick < 0.95
            else Category.TEMPORARY
            if pick < 0.97
            else Category.GROUP_MEMBER
        )
        surname = rng.choice(places.SURNAMES)
        group_code = None
        if category is Category.RESIDENTIAL:
            name = surname + rng.choice(places.GIVEN)
        elif category is Category.GROUP_MEMBER:
            group_code, company, kind = rng.choice(places.GROUP_CUSTOMERS)
            name = f"{company}{v['name']}{kind}"
        elif category is Category.TEMPORARY:
            name = f"{surname}{rng.choice(places.GIVEN)}(临时用电·建房)"
        else:
            name = f"{v['name']}{surname}氏{rng.choice(places.BUSINESSES)}"
        account_rows.append(
            {
                "station_id": station.id,
                "number": f"61{s_idx + 1:02d}{i + 1:07d}",
                "name": name,
                "address": f"{places.PROVINCE_CITY_COUNTY}{town}{v['name']}{rng.randint(1, 9)}组{rng.randint(1, 80)}号",
                "phone": f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}"
                if rng.random() < 0.9
                else None,
                "village": str(v["name"]),
                "category": category,
                "group_code": group_code,
                "location": _point(lon, lat),
            }
        )
    ids = session.scalars(
        insert(Account).returning(Account.id, sort_by_parameter_order=True), account_rows
    ).all()
    report.accounts += len(ids)

    # Territory and responsibility from the polygon that covers each account.
    session.execute(
        update(Account)
        .where(Account.station_id == station.id)
        .values(
            territory_id=select(Territory.id)
            .where(
                Territory.station_id == station.id, func.ST_Covers(Territory.area, Account.location)
            )
            .limit(1)
            .scalar_subquery()
        )
    )
    tc = {
        t: u
        for t, u in session.execute(
            select(territory_collector.c.territory_id, territory_collector.c.user_id)
            .join(Territory, Territory.id == territory_collector.c.territory_id)
            .where(Territory.station_id == station.id)
        )
    }
    acc_terr = dict(
        session.execute(
            select(Account.id, Account.territory_id).where(Account.station_id == station.id)
        ).all()
    )
    year_ago = today - dt.timedelta(days=365)
    resp_rows, resp_update = [], []
    for acc_id in ids:
        t = acc_terr.get(acc_id)
        owner = tc.get(t) if t is not None else collectors[0].id
        if owner is None:
            owner = collectors[0].id
        if rng.random() < 0.04:  # a handover during the year: two history rows
            before = rng.choice(collectors).id
            switch = year_ago + dt.timedelta(days=rng.randint(60, 300))
            if before != owner:
                resp_rows.append(
                    {
                        "account_id": acc_id,
                        "collector_id": before,
                        "valid_from": year_ago,
                        "valid_to": switch,
                        "assigned_by": supervisor.id,
                    }
                )
                resp_rows.append(
                    {
                        "account_id": acc_id,
                        "collector_id": owner,
                        "valid_from": switch,
                        "valid_to": None,
                        "assigned_by": supervisor.id,
                    }
                )
                resp_update.append((acc_id, owner))
                continue
        resp_rows.append(
            {
                "account_id": acc_id,
                "collector_id": owner,
                "valid_from": year_ago,
                "valid_to": None,
                "assigned_by": supervisor.id,
            }
        )
        resp_update.append((acc_id, owner))
    session.execute(insert(AccountResponsibility), resp_rows)
    session.execute(update(Account), [{"id": a, "responsible_id": o} for a, o in resp_update])

    _bills_and_payments(
        session, rng, report, station, account_rows, ids, dict(resp_update), periods, seed, today
    )


def _territories(
    session: Session,
    station: Station,
    villages: list[dict[str, object]],
    collectors: list[User],
    depot: tuple[float, float],
) -> None:
    """Voronoi cells of the villages, merged per collector and clipped to the service area."""
    mp = "MULTIPOINT(" + ",".join(f"({v['lon']} {v['lat']})" for v in villages) + ")"
    pts = func.ST_GeomFromText(mp, 4326)
    area = func.ST_Buffer(func.ST_Envelope(pts), 0.03)
    cells = select(func.ST_Dump(func.ST_VoronoiPolygons(pts, 0.0, area)).geom.label("g")).subquery()
    by_collector: dict[int, list[str]] = {}
    for v in villages:
        cell = session.execute(
            select(func.ST_AsText(func.ST_Intersection(func.ST_SetSRID(cells.c.g, 4326), area)))
            .where(
                func.ST_Covers(
                    cells.c.g, func.ST_SetSRID(func.ST_MakePoint(v["lon"], v["lat"]), 4326)
                )
            )
            .limit(1)
        ).scalar_one()
        by_collector.setdefault(int(v["territory"]), []).append(cell)  # type: ignore[call-overload]
    for c_idx, wkts in sorted(by_collector.items()):
        union = func.ST_Multi(
            func.ST_UnaryUnion(
                func.ST_GeomFromText("GEOMETRYCOLLECTION(" + ",".join(wkts) + ")", 4326)
            )
        )
        session.add(
            Territory(
                station_id=station.id,
                name=f"{station.name}第{c_idx + 1}片区",
                area=session.execute(select(func.ST_AsEWKT(union))).scalar_one(),
                collectors=[collectors[c_idx]],
            )
        )
    session.flush()


def _bills_and_payments(
    session: Session,
    rng: random.Random,
    report: SeedReport,
    station: Station,
    account_rows: list[dict[str, object]],
    ids: list[int],
    owner_of: dict[int, int],
    periods: list[dt.date],
    seed: int,
    today: dt.date,
) -> None:
    bill_rows, bill_meta = [], []
    for row, acc_id in zip(account_rows, ids, strict=True):
        category: Category = row["category"]  # type: ignore[assignment]
        base = {
            Category.RESIDENTIAL: rng.uniform(60, 320),
            Category.NON_RESIDENTIAL: rng.uniform(500, 6000),
            Category.TEMPORARY: rng.uniform(800, 4000),
            Category.GROUP_MEMBER: rng.uniform(1500, 2600),
        }[category]
        active = periods[-rng.randint(3, 7) :] if category is Category.TEMPORARY else periods
        for period in active:
            bill_rows.append(
                {
                    "account_id": acc_id,
                    "period": period,
                    "amount": _bill_amount(rng, category, period, base),
                    "due_date": _due(period),
                }
            )
            bill_meta.append((acc_id, str(row["number"]), category))
    bill_ids = session.scalars(
        insert(Bill).returning(Bill.id, sort_by_parameter_order=True), bill_rows
    ).all()
    report.bills += len(bill_ids)

    pay_rows, alloc_rows, visit_rows = [], [], []
    receipt = 0
    for bill_id, brow, (acc_id, number, category) in zip(
        bill_ids, bill_rows, bill_meta, strict=True
    ):
        truth = behaviour(seed, number)
        due: dt.date = brow["due_date"]  # type: ignore[assignment]
        issued = due - dt.timedelta(days=9)
        kind = truth.kind
        if category is Category.GROUP_MEMBER:
            kind = "punctual" if rng.random() < 0.8 else "late"
        if kind == "punctual":
            delay = rng.randint(-9, 0) if rng.random() < 0.96 else rng.randint(3, 25)
        elif kind == "late":
            delay = rng.randint(8, 70)
        elif kind == "chronic":
            delay = rng.randint(20, 200) if rng.random() < 0.6 else None
        elif kind == "migrant":
            # Home for the Spring Festival: pays everything in February.
            feb = dt.date(due.year + (1 if due.month > 2 else 0), 2, rng.randint(1, 20))
            delay = (feb - due).days if rng.random() < 0.7 else None
        else:
            delay = None if rng.random() < 0.9 else rng.randint(60, 200)
        if delay is None:
            continue
        paid_on = due + dt.timedelta(days=delay)
        if paid_on > today - dt.timedelta(days=1) or paid_on < issued:
            continue
        principal: Decimal = brow["amount"]  # type: ignore[assignment]
        fee = late_fee(principal, due, paid_on, residential=category is Category.RESIDENTIAL)
        field_pay = delay > 5 and rng.random() < 0.55
        collector = owner_of.get(acc_id) if field_pay else None
        channel = (
            rng.choice([Channel.FIELD_CASH, Channel.FIELD_CASH, Channel.FIELD_QR])
            if collector
            else rng.choices(ONLINE, ONLINE_WEIGHTS)[0]
        )
        at = dt.datetime.combine(paid_on, dt.time(rng.randint(8, 17), rng.randint(0, 59)), TZ)
        pid = uuid.uuid5(NS, f"{seed}:{station.code}:pay:{bill_id}")
        receipt_no = None
        if collector:
            receipt += 1
            receipt_no = f"{station.code}-{paid_on:%Y%m}-{receipt:06d}"
        pay_rows.append(
            {
                "id": pid,
                "kind": EntryKind.PAYMENT,
                "account_id": acc_id,
                "amount": principal + fee,
                "channel": channel,
                "channel_txn_id": None
                if collector
                else f"{channel.value[:2].upper()}{pid.hex[:20]}",
                "collector_id": collector,
                "collected_at": at,
                "device_id": f"demo-phone-{collector}" if collector else None,
                "receipt_no": receipt_no,
                "actor_id": collector,
            }
        )
        alloc_rows.append(
            {"payment_id": pid, "bill_id": bill_id, "principal": principal, "late_fee": fee}
        )
        if collector:
            visit_rows.append(
                {
                    "id": uuid.uuid5(NS, f"{seed}:{station.code}:visit-paid:{bill_id}"),
                    "account_id": acc_id,
                    "collector_id": collector,
                    "outcome": Outcome.PAID,
                    "device_time": at,
                    "fix": None,
                    "notes": None,
                    "promise_date": None,
                }
            )
    session.execute(insert(Payment), pay_rows)
    session.execute(insert(PaymentAllocation), alloc_rows)
    report.payments += len(pay_rows)

    # Unsuccessful visits of the past months, drawn from the hidden truth.
    for row, acc_id in zip(account_rows, ids, strict=True):
        truth = behaviour(seed, str(row["number"]))
        if truth.kind == "punctual" or acc_id not in owner_of:
            continue
        for _ in range(rng.randint(1, 5)):
            day = today - dt.timedelta(days=rng.randint(2, 170))
            hour = rng.randint(8, 17)
            at = dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)), TZ)
            if rng.random() > truth.home_at(hour):
                outcome, promise = Outcome.NOBODY_HOME, None
            elif rng.random() < truth.pay_prob * 0.5:
                outcome, promise = Outcome.PROMISE, day + dt.timedelta(days=rng.randint(3, 15))
            else:
                outcome, promise = Outcome.REFUSED, None
            visit_rows.append(
                {
                    "id": uuid.uuid5(NS, f"{seed}:{station.code}:visit:{acc_id}:{day}:{hour}"),
                    "account_id": acc_id,
                    "collector_id": owner_of[acc_id],
                    "outcome": outcome,
                    "device_time": at,
                    "promise_date": promise,
                    "fix": None,
                    "notes": None,
                }
            )
    dedup = {r["id"]: r for r in visit_rows}
    session.execute(insert(Visit), list(dedup.values()))
    report.visits += len(dedup)
