"""Command-line tools: ``flask db ensure``, ``flask users create``, ``flask demo ...``,
``flask reminders ...``, ``flask stations ...``, ``flask channels add`` (and ``flask jobs
reap`` on the jobs blueprint)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from api.cli.channels import channels_cli
    from api.cli.db import db_cli
    from api.cli.demo import demo_cli
    from api.cli.reminders import reminders_cli
    from api.cli.stations import stations_cli
    from api.cli.users import users_cli

    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(stations_cli)
    app.cli.add_command(channels_cli)
