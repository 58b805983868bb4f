"""``flask db ensure``: create the database if missing and migrate it to head."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from core import db as dbmod

db_cli = AppGroup("db", help="Database setup.")


@db_cli.command("ensure")
def db_ensure() -> None:
    """Create the database if missing and migrate it to head (idempotent)."""
    url = current_app.config["DATABASE_URL"]
    if dbmod.ensure_database(url):
        click.echo(f"created database {url.rsplit('/', 1)[-1]}")
    dbmod.upgrade_database(url)
    click.echo("database at head migration")
