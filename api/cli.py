"""Command-line tools: ``flask db ensure``, ``flask users create``, ``flask demo ...``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from api import db as dbmod

db_cli = AppGroup("db", help="Database setup.")
users_cli = AppGroup("users", help="User management.")


@db_cli.command("ensure")
def db_ensure() -> None:
    """Create the database if missing and migrate it to head (idempotent)."""
    url = current_app.config["DATABASE_URL"]
    if dbmod.ensure_database(url):
        click.echo(f"created database {url.rsplit('/', 1)[-1]}")
    dbmod.upgrade_database(url)
    click.echo("database at head migration")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True)
@click.option("--role", type=click.Choice(["admin", "supervisor", "collector"]), required=True)
@click.option("--name", "display_name", default=None, help="Display name")
@click.option("--station", "stations", multiple=True, help="Station code (repeatable)")
@click.option("--mode", type=click.Choice(["motorbike", "car", "walk"]), default="motorbike")
def users_create(
    username: str,
    password: str,
    role: str,
    display_name: str | None,
    stations: tuple[str, ...],
    mode: str,
) -> None:
    """Create a user (collectors also get a profile)."""
    from api.errors import Problem
    from api.users.service import NewUser, create_user
    from geo.models import Role, TravelMode

    session = current_app.extensions["db_sessionmaker"]()
    try:
        user = create_user(
            session,
            current_app.extensions["passwords"],
            NewUser(
                username=username,
                password=password,
                role=Role(role),
                display_name=display_name or username,
                station_codes=stations,
                travel_mode=TravelMode(mode),
            ),
        )
        session.commit()
    except Problem as exc:
        raise click.ClickException(exc.detail) from exc
    finally:
        session.close()
    click.echo(f"created {role} {username} (id {user.id})")


def init_app(app: Flask) -> None:
    from api.demo.cli import demo_cli
    from api.reminders.cli import reminders_cli

    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(reminders_cli)
