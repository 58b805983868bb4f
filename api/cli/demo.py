"""``flask demo seed`` and ``flask demo logins``."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from core.db import analyze_database
from core.models import Station, User
from demo.generator import DEMO_PASSWORDS, seed_demo
from demo.truth import FAMILIES

demo_cli = AppGroup("demo", help="The demo county.")


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
    # Fresh tables have no planner statistics: until autovacuum gets to them, the
    # amount-due queries run about 3x slower (bench/due_timing.py).
    analyze_database(current_app.config["DATABASE_URL"])
    click.echo(
        f"demo: {report.stations} stations, {report.accounts} accounts, {report.bills} bills, "
        f"{report.payments} payments, {report.visits} visits in {time.monotonic() - started:.1f} s"
    )


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
