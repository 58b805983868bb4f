"""Stations: list, create, read, edit, close. Never deleted (they may hold money)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required

from api.auth.jwt import current_scope
from api.db import get_session
from api.smorest import Blueprint
from api.stations.schemas import StationCreate, StationPatch, StationSchema
from core.models import Station
from core.scope import find_scoped
from core.stations import admin

blp = Blueprint("stations", __name__, url_prefix="/api/stations", description="Stations")


@blp.route("")
class Stations(MethodView):
    @jwt_required()
    @blp.response(200, StationSchema(many=True))
    def get(self) -> Any:
        """The stations in scope (an admin's county, a supervisor's or collector's own)."""
        return admin.list_stations(get_session(), current_scope())

    @jwt_required()
    @blp.arguments(StationCreate)
    @blp.response(201, StationSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a station (admins); its county is created too when ``county_name`` is given."""
        session = get_session()
        station = admin.create_station(session, current_scope(), body)
        session.commit()
        return station


@blp.route("/<int(max=2147483647):station_id>")
class StationById(MethodView):
    @jwt_required()
    @blp.response(200, StationSchema)
    def get(self, station_id: int) -> Any:
        """One station in scope."""
        return find_scoped(get_session(), Station, station_id, current_scope(), "station")

    @jwt_required()
    @blp.arguments(StationPatch)
    @blp.response(200, StationSchema)
    def patch(self, body: dict[str, Any], station_id: int) -> Any:
        """Edit a station: admins anything but the code, its supervisor the working days,
        default shift and lunch, and hall hours."""
        session = get_session()
        station = admin.update_station(session, current_scope(), station_id, body)
        session.commit()
        return station


@blp.route("/<int(max=2147483647):station_id>/close")
class StationClose(MethodView):
    @jwt_required()
    @blp.response(200, StationSchema)
    def post(self, station_id: int) -> Any:
        """Close a station (admins): it keeps its history and money, takes no new work."""
        session = get_session()
        station = admin.close_station(session, current_scope(), station_id, dt.datetime.now(dt.UTC))
        session.commit()
        return station
