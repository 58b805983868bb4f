"""``flask channels add NAME --channel alipay``: register a channel client and print its
signing key once (it signs ``POST /api/channels/notices``)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from api.cli.stations import cli_session
from core.money import channel_clients

channels_cli = AppGroup("channels", help="Online channels' notifying clients and their keys.")


@channels_cli.command("add")
@click.argument("name")
@click.option("--channel", type=click.Choice(channel_clients.CLIENT_CHANNELS), required=True)
def add(name: str, channel: str) -> None:
    """Register NAME for CHANNEL and print its key (configure it on the channel's side)."""
    with cli_session() as session:
        done = channel_clients.register(
            session, current_app.extensions["passwords"], name, channel
        )
        click.echo(f"{done.client.name}\t{done.client.channel}\t{done.secret}")
