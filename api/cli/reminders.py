"""``flask reminders queue --day D`` and ``flask reminders send``."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from core.field import reminders as service

reminders_cli = AppGroup("reminders", help="SMS reminders before visits and promises.")


@reminders_cli.command("queue")
@click.option(
    "--day", type=click.DateTime(["%Y-%m-%d"]), required=True, help="The visit/promise day"
)
def queue(day: dt.datetime) -> None:
    """Queue reminders for planned visits and promises on DAY (idempotent)."""
    session = current_app.extensions["db_sessionmaker"]()
    try:
        added = service.queue_reminders(session, day.date())
        session.commit()
    finally:
        session.close()
    click.echo(f"queued {added} reminders")


@reminders_cli.command("send")
@click.option("--limit", default=500, show_default=True)
def send(limit: int) -> None:
    """Send pending reminders through the configured gateway, each at most once."""
    session = current_app.extensions["db_sessionmaker"]()
    try:
        sent = service.send_pending(session, current_app.extensions["sms_gateway"], limit)
    finally:
        session.close()
    click.echo(f"sent {sent} reminders")
