"""``flask stations create|list|close``: the county's stations from the command line."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.stations.schemas import StationCreate
from core.errors import DomainError, Invalid
from core.models import Role, Station
from core.scope import Scope
from core.stations import admin

stations_cli = AppGroup("stations", help="Stations: create, list, close (never delete).")
#: The command line acts as an admin of the whole county.
CLI_SCOPE = Scope(0, Role.ADMIN, frozenset())


@contextmanager
def cli_session() -> Iterator[Session]:
    """A session committed on success; domain and input errors become clean CLI errors."""
    session: Session = current_app.extensions["db_sessionmaker"]()
    try:
        yield session
        session.commit()
    except ValidationError as exc:
        raise click.ClickException(json.dumps(exc.messages, ensure_ascii=False)) from exc
    except Invalid as exc:
        errors = json.dumps(exc.field_errors(), ensure_ascii=False, default=str)
        raise click.ClickException(f"{exc.detail} {errors}") from exc
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    finally:
        session.close()


def _line(s: Station) -> str:
    state = f"closed {s.closed_at:%Y-%m-%d}" if s.closed_at else "open"
    return f"{s.id}\t{s.code}\t{s.name}\t{s.timezone}\t{state}"


@stations_cli.command("create")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--county-code", required=True)
@click.option("--county-name", default=None, help="Creates the county when the code is new")
@click.option("--lon", type=float, required=True, help="Depot longitude")
@click.option("--lat", type=float, required=True, help="Depot latitude")
@click.option("--system", type=click.Choice(["wgs84", "gcj02", "bd09"]), default="wgs84")
@click.option("--timezone", default=None)
@click.option("--area", type=click.File("r"), default=None, help="GeoJSON (Multi)Polygon file")
def stations_create(**opts: Any) -> None:
    """Create a station (and its county when --county-name is given)."""
    body: dict[str, Any] = {
        "code": opts["code"],
        "name": opts["name"],
        "county_code": opts["county_code"],
        "depot": {"lon": opts["lon"], "lat": opts["lat"], "system": opts["system"]},
    }
    for key in ("county_name", "timezone"):
        if opts[key]:
            body[key] = opts[key]
    if opts["area"]:
        body["service_area"] = json.load(opts["area"])
    with cli_session() as session:
        station = admin.create_station(session, CLI_SCOPE, StationCreate().load(body))
        click.echo(f"created station {station.code} (id {station.id})")


@stations_cli.command("list")
def stations_list() -> None:
    """Every station: id, code, name, time zone, open or closed."""
    with cli_session() as session:
        for s in admin.list_stations(session, CLI_SCOPE):
            click.echo(_line(s))


def _by_code(session: Session, code: str) -> Station:
    station = session.scalars(select(Station).where(Station.code == code)).one_or_none()
    if station is None:
        raise click.ClickException(f"No station {code!r}.")
    return station


@stations_cli.command("close")
@click.argument("code")
def stations_close(code: str) -> None:
    """Close a station: it keeps its history and money and takes no new work."""
    with cli_session() as session:
        station_id = _by_code(session, code).id
        station = admin.close_station(session, CLI_SCOPE, station_id, dt.datetime.now(dt.UTC))
        click.echo(f"closed station {station.code}")
