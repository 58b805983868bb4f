"""GET and PUT a station's calendar (supervisors of the station and admins)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required

from api.auth.jwt import current_scope
from api.calendar.schemas import CalendarSchema
from api.db import get_session
from api.smorest import Blueprint
from core.models import Station
from core.planning.calendar import (
    Market,
    Period,
    StationCalendar,
    load_calendar,
    replace_calendar,
)
from core.scope import find_scoped, require_staff

blp = Blueprint(
    "calendar",
    __name__,
    url_prefix="/api/stations",
    description="The villages' rhythms the planner's P(home) reads",
)


def _station(station_id: int) -> Station:
    scope = current_scope()
    require_staff(scope, "Only supervisors and admins read or set the calendar.")
    return find_scoped(get_session(), Station, station_id, scope, "station")


def _dump(station_id: int, cal: StationCalendar) -> dict[str, Any]:
    return {
        "station_id": station_id,
        "periods": [
            {"kind": p.kind, "name": p.name, "first_day": p.first_day, "last_day": p.last_day}
            for p in cal.periods
        ],
        "market_days": [
            {"village": v, "weekdays": sorted(m.weekdays), "month_days": sorted(m.month_days)}
            for v, m in sorted(cal.markets.items())
        ],
    }


@blp.route("/<int(max=2147483647):station_id>/calendar")
class StationCalendarView(MethodView):
    @jwt_required()
    @blp.response(200, CalendarSchema)
    def get(self, station_id: int) -> Any:
        """The station's festival and harvest return periods, holidays and market days."""
        station = _station(station_id)
        return _dump(station.id, load_calendar(get_session(), station.id))

    @jwt_required()
    @blp.arguments(CalendarSchema)
    @blp.response(200, CalendarSchema)
    def put(self, body: dict[str, Any], station_id: int) -> Any:
        """Replace the station's whole calendar (idempotent)."""
        station = _station(station_id)
        session = get_session()
        cal = replace_calendar(
            session,
            station.id,
            [Period(p["kind"], p["name"], p["first_day"], p["last_day"]) for p in body["periods"]],
            {
                m["village"]: Market(frozenset(m["weekdays"]), frozenset(m["month_days"]))
                for m in body["market_days"]
            },
        )
        session.commit()
        return _dump(station.id, cal)
