"""``flask users create``: a user, and a collector's profile."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from core.errors import DomainError
from core.models import Role, TravelMode
from core.users.staff import NewUser, create_user

users_cli = AppGroup("users", help="User management.")


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
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    finally:
        session.close()
    click.echo(f"created {role} {username} (id {user.id})")
