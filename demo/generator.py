"""Deterministic demo county: stations, villages along valleys, accounts, a year of
bills and payments, territories, collectors and past visits."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from core.models import (
    Account,
    AccountResponsibility,
    Category,
    County,
    Role,
    Station,
    Territory,
    TravelMode,
    territory_collector,
)
from core.planning.calendar import replace_calendar
from core.users.passwords import Passwords
from core.users.staff import NewUser, create_user
from demo import geometry, history, places, seasons
from demo.truth import DEFAULT, Family

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


def seed_demo(
    session: Session,
    passwords: Passwords,
    *,
    accounts: int,
    seed: int,
    today: dt.date,
    family: Family = DEFAULT,
) -> SeedReport:
    """Fill an empty database with the demo county. Deterministic for (accounts, seed,
    today, family); ``family`` is the kind of county the hidden truth describes
    (``demo.truth.FAMILIES``)."""
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
            depot=geometry.point(*depot),
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
            family,
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
    family: Family,
) -> None:
    # 20-36 villages for a real station; never fewer than two per collector.
    n_villages = max(2 * n_collectors, min(36, 20 + n_accounts // 1000))
    villages = geometry.villages(rng, depot, n_villages)
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
        home = geometry.offset(
            float(home_v["lon"]),  # type: ignore[arg-type]
            float(home_v["lat"]),  # type: ignore[arg-type]
            rng.gauss(0, 200),
            rng.gauss(0, 200),
        )
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

    geometry.territories(session, station, villages, collectors, depot)

    # Accounts clustered around villages.
    weights = [float(v["weight"]) for v in villages]  # type: ignore[arg-type]
    periods = history.months_back(today, 12)
    account_rows = []
    for i in range(n_accounts):
        v = rng.choices(villages, weights)[0]
        spread = rng.uniform(120, 450)
        lon, lat = geometry.offset(
            float(v["lon"]),  # type: ignore[arg-type]
            float(v["lat"]),  # type: ignore[arg-type]
            rng.gauss(0, spread),
            rng.gauss(0, spread),
        )
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
                "address": (
                    f"{places.PROVINCE_CITY_COUNTY}{town}{v['name']}"
                    f"{rng.randint(1, 9)}组{rng.randint(1, 80)}号"
                ),
                "phone": f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}"
                if rng.random() < 0.9
                else None,
                "village": str(v["name"]),
                "category": category,
                "group_code": group_code,
                "location": geometry.point(lon, lat),
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

    # The station's calendar, as its supervisor would enter it (its own generator, so the
    # accounts' draws above stay as they were).
    names = sorted({str(r["village"]) for r in account_rows})
    calendar = seasons.demo_calendar(random.Random(f"{seed}:{station.code}:calendar"), names, today)
    replace_calendar(session, station.id, list(calendar.periods), dict(calendar.markets))
    bills, payments, visits = history.bills_and_payments(
        session,
        rng,
        station,
        account_rows,
        ids,
        dict(resp_update),
        periods,
        seed,
        today,
        supervisor.id,
        family,
        calendar,
    )
    report.bills += bills
    report.payments += payments
    report.visits += visits
