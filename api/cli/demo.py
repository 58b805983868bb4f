"""``flask demo seed``, ``flask demo roads``, ``flask demo day``, ``flask demo logins`` and
``flask demo scale``."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from core.db import make_engine, vacuum_database
from core.models import Plan, PlanStatus, Role, Station, User
from core.planning.travel import ROAD_MATRICES
from demo.generator import DEMO_PASSWORDS, seed_demo
from demo.scale import seed_scale
from demo.truth import FAMILIES

demo_cli = AppGroup("demo", help="The demo county.")
#: The scale county's users all share it (benchmarks only, never a real database).
SCALE_PASSWORD = "scale-bench"


@demo_cli.command("seed")
@click.option("--accounts", default=5000, show_default=True, type=click.IntRange(20, 200_000))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Reference day (default: today in Asia/Shanghai)",
)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has stations")
@click.option(
    "--family",
    type=click.Choice(sorted(FAMILIES)),
    default="default",
    show_default=True,
    help="The kind of county the hidden truth describes (the month simulation's worlds)",
)
def seed(accounts: int, seed: int, today: dt.datetime | None, if_empty: bool, family: str) -> None:
    """Generate the demo county (deterministic for a given seed and day). Its users have
    published passwords: only with the demo asked for (ARREARS_DEMO=true)."""
    if not current_app.config["DEMO"]:
        raise click.ClickException(
            "the demo's users have published passwords; seed them only into a demo "
            "database, with ARREARS_DEMO=true (as `make run` does)"
        )
    session = current_app.extensions["db_sessionmaker"]()
    try:
        if session.scalar(select(func.count()).select_from(Station)):
            if if_empty:
                click.echo("demo: database already has data; not seeding")
                return
            raise click.ClickException("the database is not empty")
        day = today.date() if today else dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()
        started = time.monotonic()
        report = seed_demo(
            session,
            current_app.extensions["passwords"],
            accounts=accounts,
            seed=seed,
            today=day,
            family=FAMILIES[family],
        )
        session.commit()
    finally:
        session.close()
    # Fresh tables have no planner statistics (the amount-due queries run about 3x
    # slower without: bench/due_timing.py), no visibility map, and the dead rows of
    # every balance the seed's payments moved (bill_balance: one per payment): until
    # autovacuum gets to them (if it runs at all), reads wade through them. Month-end
    # zero took 20-25 % more CPU before the VACUUM (docs/kpis.md, "Cost").
    vacuum_database(current_app.config["DATABASE_OWNER_URL"])
    click.echo(
        f"demo: {report.stations} stations, {report.accounts} accounts, {report.bills} bills, "
        f"{report.payments} payments, {report.visits} visits in {time.monotonic() - started:.1f} s"
    )


@demo_cli.command("roads")
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--if-missing", is_flag=True, help="Do nothing when roads.ways exists")
def roads(seed: int, if_missing: bool) -> None:
    """Generate the demo county's road network in osm2pgrouting's schema (``roads``):
    valley roads between the towns and villages, tracks to outlying houses. Plans then
    use road times (TRAVEL_MATRIX=auto) and the map draws the roads."""
    from demo.roads import generate_roads

    # As the owner (the application role may not create schemas); the tables are readable
    # by the application role by default (migration 0009).
    engine = make_engine(
        current_app.config["DATABASE_OWNER_URL"], statement_timeout_ms=0, role=None
    )
    try:
        with Session(engine) as session:
            exists = session.scalar(text("SELECT to_regclass('roads.ways') IS NOT NULL"))
            if exists and if_missing:
                click.echo("demo: roads.ways exists; not generating")
                return
            if not session.scalar(select(func.count()).select_from(Station)):
                raise click.ClickException("seed the demo first (flask demo seed)")
            started = time.monotonic()
            report = generate_roads(session, seed)
            session.commit()
    finally:
        engine.dispose()
    ROAD_MATRICES.clear()
    click.echo(
        f"demo: road network of {report.edges} edges ({report.tracks} tracks), "
        f"{report.vertices} vertices, {report.km:.0f} km in {time.monotonic() - started:.1f} s"
    )


@demo_cli.command("day")
@click.option("--time-limit", default=10.0, show_default=True, type=click.FloatRange(1, 300))
@click.option("--if-missing", is_flag=True, help="Skip a station whose today is published")
def day(time_limit: float, if_missing: bool) -> None:
    """Plan and publish today for every station, as its supervisor would at 07:00, so the
    collectors' app and the dashboard show a day straight after ``make run``."""
    from api.plans.tasks import settings_from_config
    from core.planning import publish_plan, run_plan_job, submit_plan_job

    if not current_app.config["DEMO"]:
        raise click.ClickException("a demo day is planned only in the demo (ARREARS_DEMO=true)")
    sessions = current_app.extensions["db_sessionmaker"]
    settings = settings_from_config(current_app.config)
    with sessions() as session:
        stations = session.scalars(select(Station).order_by(Station.id)).all()
        for station in stations:
            zone = zoneinfo.ZoneInfo(station.timezone)
            today = dt.datetime.now(zone).date()
            published = session.scalar(
                select(Plan.id).where(
                    Plan.station_id == station.id,
                    Plan.plan_date == today,
                    Plan.status == PlanStatus.PUBLISHED,
                )
            )
            if published and if_missing:
                click.echo(f"demo: {station.name} {today} already published")
                continue
            supervisor = session.scalar(
                select(User)
                .where(User.role == Role.SUPERVISOR, User.stations.contains(station))
                .order_by(User.id)
            )
            if supervisor is None:
                continue
            job = submit_plan_job(
                session,
                station_id=station.id,
                plan_date=today,
                today=today,
                collector_ids=None,
                time_limit=time_limit,
                created_by=supervisor.id,
            )
            session.commit()
            # As at the start of the working day: a plan made now in the afternoon would
            # start its routes from now and hold almost nothing.
            morning = dt.datetime.combine(today, dt.time(7), zone)
            run_plan_job(sessions, job.id, settings, now=morning)
            session.refresh(job)
            plan = session.scalar(select(Plan).where(Plan.job_id == job.id))
            if plan is None:
                raise click.ClickException(f"{station.name}: the plan job ended {job.status}")
            publish_plan(
                session, plan, actor_id=supervisor.id, override_reason="demo day (flask demo day)"
            )
            session.commit()
            click.echo(f"demo: {station.name} {today} planned and published (plan {plan.id})")


@demo_cli.command("logins")
def logins() -> None:
    """Print the demo logins, one per role and station."""
    session = current_app.extensions["db_sessionmaker"]()
    try:
        users = session.scalars(select(User).order_by(User.role, User.username)).all()
        click.echo("Demo logins (POST /api/auth/login):")
        for u in users:
            password = DEMO_PASSWORDS.get(u.role.value, "?")
            stations = ", ".join(s.name for s in u.stations) or "all stations"
            click.echo(f"  {u.role.value:<10} {u.username:<24} {password:<16} {stations}")
    finally:
        session.close()


@demo_cli.command("scale")
@click.option("--accounts", default=1_000_000, show_default=True, type=click.IntRange(20))
@click.option("--stations", default=20, show_default=True, type=click.IntRange(1, 99))
@click.option("--collectors", default=200, show_default=True, type=click.IntRange(1, 999))
def scale(accounts: int, stations: int, collectors: int) -> None:
    """Fill an empty database with a county at full size, for benchmarks only
    (demo/scale.py: set-based inserts inside PostgreSQL, triggers off; the users'
    password is SCALE_PASSWORD below). Needs the database owner's login."""
    url = current_app.config["DATABASE_OWNER_URL"]
    engine = create_engine(url)  # the owner, not the application role
    passwords = current_app.extensions["passwords"]
    started = time.monotonic()
    try:
        with engine.begin() as conn:
            if conn.scalar(select(func.count()).select_from(Station)):
                raise click.ClickException("the database is not empty")
            day = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()
            report = seed_scale(
                conn,
                passwords.hash(SCALE_PASSWORD),
                accounts=accounts,
                stations=stations,
                collectors=collectors,
                today=day,
            )
    finally:
        engine.dispose()
    loaded = time.monotonic() - started
    vacuum_database(url)  # a fresh load has no visibility map: reads would check each row
    click.echo(
        f"scale: {report.stations} stations, {report.collectors} collectors, "
        f"{report.accounts} accounts, {report.bills} bills, {report.payments} payments; "
        f"loaded in {loaded:.1f} s {report.seconds}, vacuumed and analysed in "
        f"{time.monotonic() - started - loaded:.1f} s"
    )
