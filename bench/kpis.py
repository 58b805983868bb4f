"""Benchmark: each KPI's and the progress view's time on the demo county.

Read-only for the KPIs. For the progress view it adds, inside a transaction rolled back
at the end, a published plan for today at the larger station (every collector a route of
``--stops`` owing accounts of theirs, the first half visited, with fixes and payments),
then times GET /api/stations/{id}/progress through the app (JSON, ETag) as its
supervisor, and the 304 answer to a repeated poll.

    make demo   # the 5,000-account demo in $DATABASE_URL
    ARREARS_DEMO=true nice -n 10 .venv/bin/python bench/kpis.py --url "$DATABASE_URL"
    # as of a past day, or a month's last day (month-end zero's worst case):
    ARREARS_DEMO=true nice -n 10 .venv/bin/python bench/kpis.py --url "$DATABASE_URL" \
        --month 2026-11

``--as-of DAY`` / ``--month YYYY-MM`` time every KPI as of that day (its month for the
monthly ones; ``--month``: the month's last day) and the progress view of a plan
published for that day; by default the station's today.

Prints the median, the slowest and the fastest of ``--repeat`` runs, in milliseconds,
per KPI and scope (the larger station's supervisor, the county's admin, one collector),
the mean CPU time per run of the bench process and its database backend together (on
a loaded machine the wall time is mostly the wait for a core; the CPU time is what
the answer costs, about its wall time on an idle machine), and the machine's load
average before and after. The demo
app reads ``ARREARS_DEMO=true`` (its token secret); set ``random_page_cost`` as
docs/scaling.md says for SSD storage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geoalchemy2.elements import WKTElement  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from core.db import make_engine  # noqa: E402
from core.kpis.ageing import ageing_change  # noqa: E402
from core.kpis.base import Period, Subject, month_of  # noqa: E402
from core.kpis.collection import collection  # noqa: E402
from core.kpis.field_work import field_work  # noqa: E402
from core.kpis.month_end import month_end  # noqa: E402
from core.kpis.promises import promises  # noqa: E402
from core.kpis.ranking import collector_results, ranking  # noqa: E402
from core.kpis.stubborn import PAGE as STUBBORN_PAGE  # noqa: E402
from core.kpis.stubborn import stubborn_cases  # noqa: E402
from core.models import (  # noqa: E402
    Account,
    Channel,
    EntryKind,
    Outcome,
    Payment,
    Plan,
    PlanStatus,
    Role,
    Route,
    Station,
    Stop,
    User,
    Visit,
    user_station,
)
from core.money.due_sql import bills_due  # noqa: E402
from core.scope import Scope  # noqa: E402


def backend_cpu_ms(pid: int | None) -> float:
    """CPU time (user + system) the PostgreSQL backend ``pid`` has used so far, in ms
    (Linux /proc; 0 when it cannot be read, e.g. a database on another machine)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def timed(
    fn: Callable[[], Any], repeat: int, backend: int | None = None
) -> tuple[float, float, float, float]:
    """Median, slowest and fastest of ``repeat`` runs after a warm one (wall ms), and the
    mean CPU per run of this process plus the database backend ``backend`` (ms): on a
    shared, loaded machine the wall time mostly measures the wait for a core, the CPU
    time what the request itself costs (about its wall time on an idle machine)."""
    fn()  # warm: statement caches, plans
    runs = []
    cpu0, db0 = time.process_time(), backend_cpu_ms(backend)
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    cpu = (time.process_time() - cpu0) * 1000 + backend_cpu_ms(backend) - db0
    return statistics.median(runs), max(runs), min(runs), cpu / repeat


def load() -> str:
    """The machine's load average (1, 5, 15 min) and cores: figures depend on it."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def line(who: str, name: str, figures: tuple[float, float, float, float]) -> str:
    median, worst, best, cpu = figures
    return (
        f"{who:15s} {name:38s} median {median:7.1f} ms  max {worst:7.1f} ms  "
        f"min {best:7.1f} ms  cpu {cpu:6.1f} ms"
    )


def scopes(session: Session, station: Station) -> dict[str, Scope]:
    sup = session.scalars(
        select(User)
        .join(user_station, user_station.c.user_id == User.id)
        .where(user_station.c.station_id == station.id, User.role == Role.SUPERVISOR)
        .order_by(User.id)
    ).first()
    col = session.scalars(
        select(User)
        .join(user_station, user_station.c.user_id == User.id)
        .where(user_station.c.station_id == station.id, User.role == Role.COLLECTOR)
        .order_by(User.id)
    ).first()
    assert sup is not None and col is not None
    return {
        "supervisor": Scope(sup.id, Role.SUPERVISOR, frozenset({station.id})),
        "admin (county)": Scope(0, Role.ADMIN, frozenset()),
        "collector": Scope(col.id, Role.COLLECTOR, frozenset({station.id})),
    }


def cases(
    session: Session, scope: Scope, subject: Subject, month: Period, today: dt.date
) -> dict[str, Callable[[], Any]]:
    return {
        "collection": lambda: collection(session, scope, subject, month),
        "collection by collector": lambda: collection(session, scope, subject, month, "collector"),
        "month-end zero (+trend, last month)": lambda: month_end(session, scope, subject, today),
        "promises": lambda: promises(session, scope, subject, month, today),
        "field work": lambda: field_work(session, scope, subject, month),
        "ageing (+month start)": lambda: ageing_change(session, scope, subject, today),
        # The API's first page (one more case than the page tells it there is a next).
        "stubborn cases (first page)": lambda: stubborn_cases(
            session, scope, subject, today, limit=STUBBORN_PAGE + 1
        ),
        "ranking of collectors": lambda: ranking(session, scope, subject, month, "collector"),
        "ranking of stations": lambda: ranking(session, scope, subject, month, "station"),
        "collector results": lambda: collector_results(session, scope, subject, month, today),
    }


def kpis(session: Session, station: Station, today: dt.date, repeat: int) -> None:
    backend = session.scalar(select(func.pg_backend_pid()))
    month = Period.month(today.year, today.month)
    for who, scope in scopes(session, station).items():
        subject = Subject(None if scope.is_admin else station.id)
        for name, fn in cases(session, scope, subject, month, today).items():
            print(line(who, name, timed(fn, repeat, backend)))


def seed_day(session: Session, station: Station, today: dt.date, stops: int) -> tuple[int, int]:
    """A published plan for ``today``: per collector ``stops`` owing accounts, half visited."""
    tz = ZoneInfo(station.timezone)
    version = (
        session.scalar(
            select(func.max(Plan.version)).where(
                Plan.station_id == station.id, Plan.plan_date == today
            )
        )
        or 0
    )
    for plan in session.scalars(
        select(Plan).where(
            Plan.station_id == station.id,
            Plan.plan_date == today,
            Plan.status == PlanStatus.PUBLISHED,
        )
    ):
        plan.status = PlanStatus.SUPERSEDED
    plan = Plan(
        station_id=station.id,
        plan_date=today,
        version=version + 1,
        status=PlanStatus.PUBLISHED,
        published_at=dt.datetime.now(dt.UTC),
        summary={},
    )
    session.add(plan)
    session.flush()
    due = bills_due(today, late_fees=False, station_id=station.id)
    owing = select(due.c.account_id).distinct().subquery()
    collectors = session.scalars(
        select(User.id)
        .join(user_station, user_station.c.user_id == User.id)
        .where(user_station.c.station_id == station.id, User.role == Role.COLLECTOR)
    ).all()
    n_stops = 0
    for cid in collectors:
        accounts = session.execute(
            select(Account.id, func.ST_X(Account.location), func.ST_Y(Account.location))
            .where(Account.responsible_id == cid, Account.id.in_(select(owing.c.account_id)))
            .order_by(Account.id)
            .limit(stops)
        ).all()
        if not accounts:
            continue
        route = Route(
            plan_id=plan.id,
            collector_id=cid,
            travel_seconds=3600,
            expected_value=Decimal(100),
            path=WKTElement(
                "LINESTRING(" + ",".join(f"{x} {y}" for _, x, y in accounts[:2] * 2) + ")",
                srid=4326,
            ),
        )
        session.add(route)
        session.flush()
        for seq, (aid, lon, lat) in enumerate(accounts, start=1):
            eta = dt.datetime.combine(today, dt.time(8), tz) + dt.timedelta(minutes=15 * seq)
            session.add(
                Stop(
                    route_id=route.id,
                    account_id=aid,
                    seq=seq,
                    eta=eta,
                    departure=eta + dt.timedelta(minutes=10),
                    expected_value=Decimal(10),
                )
            )
            n_stops += 1
            if seq <= len(accounts) // 2:
                session.add(
                    Visit(
                        id=uuid.uuid4(),
                        account_id=aid,
                        collector_id=cid,
                        outcome=Outcome.PAID if seq % 2 else Outcome.NOBODY_HOME,
                        device_time=eta + dt.timedelta(minutes=5),
                        fix=WKTElement(f"POINT({lon} {lat})", srid=4326),
                    )
                )
                if seq % 2:
                    session.add(
                        Payment(
                            id=uuid.uuid4(),
                            kind=EntryKind.PAYMENT,
                            account_id=aid,
                            amount=Decimal("20.00"),
                            channel=Channel.FIELD_CASH,
                            collector_id=cid,
                            collected_at=eta + dt.timedelta(minutes=6),
                        )
                    )
    session.flush()
    return len(collectors), n_stops


def progress(url: str, station: Station, today: dt.date, stops: int, repeat: int) -> None:
    from api import create_app
    from api.config import Config

    app = create_app(Config, DATABASE_URL=url)
    engine = app.extensions["db_engine"]
    with engine.connect() as conn:
        trans = conn.begin()
        backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        try:
            app.extensions["db_sessionmaker"] = sessionmaker(
                bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
            )
            with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
                st = session.get(Station, station.id)
                assert st is not None
                routes, n = seed_day(session, st, today, stops)
                sup = scopes(session, st)["supervisor"]
                session.commit()
            with app.app_context():
                from api.auth.tokens import issue_tokens

                maker = app.extensions["db_sessionmaker"]
                with maker() as tokens_session:
                    user = tokens_session.get(User, sup.user_id)
                    assert user is not None
                    token = issue_tokens(tokens_session, user).access_token
                    tokens_session.commit()
            client = app.test_client()
            path = f"/api/stations/{station.id}/progress?date={today.isoformat()}"
            headers = {"Authorization": f"Bearer {token}"}
            first = client.get(path, headers=headers)
            assert first.status_code == 200, first.get_data(as_text=True)[:300]
            body = first.json
            done = sum(r["stops_done"] for r in body["routes"])
            print(f"progress view: {routes} routes, {n} stops, {done} done")
            figures = timed(lambda: client.get(path, headers=headers), repeat, backend)
            print(line("supervisor", "progress view (200, JSON)", figures))
            etag = {"If-None-Match": first.headers["ETag"], **headers}
            assert client.get(path, headers=etag).status_code == 304
            figures = timed(lambda: client.get(path, headers=etag), repeat, backend)
            print(line("supervisor", "progress view (304 on a repeated poll)", figures))
        finally:
            trans.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--stops", type=int, default=30)
    day = parser.add_mutually_exclusive_group()
    day.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        help="time the KPIs as of this station-local day (YYYY-MM-DD; its month for the "
        "monthly ones) instead of the station's today",
    )
    day.add_argument(
        "--month",
        type=lambda v: dt.date.fromisoformat(v + "-01"),
        help="YYYY-MM: as of that month's last day (the worst case of month-end zero: "
        "the trend follows a whole month of moves)",
    )
    args = parser.parse_args()
    # As the app connects: JIT off (it costs seconds on these statements), 60 s bound.
    engine = make_engine(args.url, statement_timeout_ms=60_000, role=None)
    with Session(engine) as session:
        station = session.scalars(
            select(Station)
            .join(Account, Account.station_id == Station.id)
            .group_by(Station.id)
            .order_by(func.count().desc())
        ).first()
        assert station is not None, "seed the demo first (make db)"
        today = dt.datetime.now(ZoneInfo(station.timezone)).date()
        if args.as_of is not None:
            today = args.as_of
        elif args.month is not None:
            today = month_of(args.month).end
        accounts = session.scalar(select(func.count()).select_from(Account))
        print(f"demo: {accounts} accounts; station {station.name} (id {station.id}); {today}")
        # The plans (and so the figures) depend on it: docs/scaling.md, SSD storage.
        cost = session.scalar(text("SHOW random_page_cost"))
        advice = " (docs/scaling.md: 1.1 on SSD)" if cost == "4" else ""
        print(f"random_page_cost {cost}{advice}")
        print(load())
        kpis(session, station, today, args.repeat)
    progress(args.url, station, today, args.stops, args.repeat)
    print(load())


if __name__ == "__main__":
    main()
