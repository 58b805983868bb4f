"""``flask users create|token|disable``: users, a collector's profile, one-time tokens."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.cli.stations import cli_session
from core.models import Role, TravelMode, User
from core.users.policy import check_password
from core.users.staff import NewUser, create_user
from core.users.tokens import issue_token

users_cli = AppGroup("users", help="User management.")


def _user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        raise click.ClickException(f"No user {username!r}.")
    return user


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True)
@click.option("--role", type=click.Choice(["admin", "supervisor", "collector"]), required=True)
@click.option("--name", "display_name", default=None, help="Display name")
@click.option("--station", "stations", multiple=True, help="Station code (repeatable)")
@click.option("--mode", type=click.Choice(["motorbike", "car", "walk"]), default="motorbike")
@click.option("--temporary", is_flag=True, help="The user must change the password at first login")
def users_create(
    username: str,
    password: str,
    role: str,
    display_name: str | None,
    stations: tuple[str, ...],
    mode: str,
    temporary: bool,
) -> None:
    """Create a user (collectors also get a profile); the password policy applies."""
    with cli_session() as session:
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
        check_password(password, username, field="password")
        user.must_change_password = temporary
        session.flush()
        click.echo(f"created {role} {username} (id {user.id})")


@users_cli.command("token")
@click.option("--username", required=True)
def users_token(username: str) -> None:
    """Print a one-time token for the user to set a password (POST /api/auth/password/reset)."""
    with cli_session() as session:
        token = issue_token(session, _user(session, username), None, dt.datetime.now(dt.UTC))
        click.echo(token)


@users_cli.command("disable")
@click.option("--username", required=True)
def users_disable(username: str) -> None:
    """Disable a user: their tokens stop working at once."""
    with cli_session() as session:
        user = _user(session, username)
        user.active = False
        user.token_version += 1
        click.echo(f"disabled {username}")
