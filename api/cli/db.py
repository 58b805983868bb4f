"""``flask db ensure``: create the database if missing, migrate it to head as the owner and
make the application role's login work;
``flask db check-ledger``: the ledger's invariants, the maintained balances among them."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import make_url, text

from core import db as dbmod

db_cli = AppGroup("db", help="Database setup.")


@db_cli.command("ensure")
def db_ensure() -> None:
    """Create the database if missing, migrate it to head, set its planner's
    ``random_page_cost`` (``DATABASE_RANDOM_PAGE_COST``) and let the application role log
    in (idempotent). Runs as the owner (``DATABASE_OWNER_URL``)."""
    owner = current_app.config["DATABASE_OWNER_URL"]
    if dbmod.ensure_database(owner):
        click.echo(f"created database {make_url(owner).database}")
    dbmod.upgrade_database(owner)
    click.echo("database at head migration")
    cost = current_app.config["DATABASE_RANDOM_PAGE_COST"]
    if cost is not None:
        dbmod.set_random_page_cost(owner, float(cost))
        click.echo(f"random_page_cost {float(cost)} for the database's new sessions")
    app_url = current_app.config["DATABASE_URL"]
    if make_url(app_url).username == current_app.config["DATABASE_ROLE"]:
        try:
            dbmod.ensure_app_login(owner, app_url)
        except dbmod.LoginRefused as exc:
            raise click.ClickException(str(exc)) from exc
    elif not dbmod.can_log_in(app_url):
        raise click.ClickException("the login of DATABASE_URL cannot log in")
    click.echo(f"web and workers log in as {make_url(app_url).username}")


@db_cli.command("check-ledger")
@click.option("--station", "station_ids", type=int, multiple=True, help="Only these stations.")
def db_check_ledger(station_ids: tuple[int, ...]) -> None:
    """Run the money ledger's invariants (core/money/invariants.py), the maintained bill
    balances against a recount of the ledger among them; exit 1 when any fails."""
    from core.money.invariants import check_ledger

    session = current_app.extensions["db_sessionmaker"]()
    try:
        # A batch check, not a request: the requests' statement timeout (30 s) would stop
        # it on a county's ledger (a station of 50,000 accounts takes longer).
        session.execute(text("SET LOCAL statement_timeout = 0"))
        failures = check_ledger(session, list(station_ids) or None)
    finally:
        session.close()
    for name, rows in failures.items():
        click.echo(f"{name}: {len(rows)} violation(s), e.g. {'; '.join(rows[:5])}")
    if failures:
        raise SystemExit(1)
    click.echo("ledger holds")
