"""Station schemas: created by an admin; the daily settings editable by its supervisor."""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import to_shape
from marshmallow import Schema, fields, validate

from api.accounts.schemas import LocationIn
from api.schema_fields import Instant, Text
from api.territories.schemas import geometry_json
from geo.coords import CoordSystem

_CODE = validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$", error="Letters, digits, - and _ (1-32).")
_AREA_DOC = {
    "description": "GeoJSON Polygon or MultiPolygon (RFC 7946, [lon, lat]; no 'crs' member); "
    "null removes it (the service_radius_m around the depot is used instead)"
}
_DAYS = {"description": "ISO weekdays the station collects on, 1 (Monday) to 7 (Sunday)"}


class StationSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    county_code = fields.Function(lambda s: s.county.code, dump_only=True)
    county_name = fields.Function(lambda s: s.county.name, dump_only=True)
    timezone = fields.String(dump_only=True)
    depot = fields.Method("_depot", dump_only=True)
    service_radius_m = fields.Integer(dump_only=True)
    service_area = fields.Method("_area", dump_only=True, allow_none=True)
    working_days = fields.List(fields.Integer(), dump_only=True)
    shift_start = fields.Time(dump_only=True)
    shift_end = fields.Time(dump_only=True)
    break_start = fields.Time(dump_only=True, allow_none=True)
    break_minutes = fields.Integer(dump_only=True)
    hall_opens = fields.Time(dump_only=True, allow_none=True)
    hall_closes = fields.Time(dump_only=True, allow_none=True)
    closed_at = Instant(dump_only=True, allow_none=True)

    def _depot(self, s: Any) -> dict[str, float]:
        point = to_shape(s.depot)
        return {"lon": point.x, "lat": point.y}

    def _area(self, s: Any) -> dict[str, Any] | None:
        return None if s.service_area is None else geometry_json(s.service_area)


class _Daily(Schema):
    working_days = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, 7)),
        validate=validate.Length(min=1, max=7),
        metadata=_DAYS,
    )
    shift_start = fields.Time()
    shift_end = fields.Time()
    break_start = fields.Time(allow_none=True)
    break_minutes = fields.Integer(strict=True, validate=validate.Range(0, 240))
    hall_opens = fields.Time(allow_none=True)
    hall_closes = fields.Time(allow_none=True)


class _Admin(_Daily):
    name = Text(max_length=100, validate=validate.Length(min=1))
    timezone = Text(max_length=64, validate=validate.Length(min=1))
    depot = fields.Nested(LocationIn)
    service_radius_m = fields.Integer(strict=True, validate=validate.Range(100, 200_000))
    service_area = fields.Dict(allow_none=True, metadata=_AREA_DOC)
    system = fields.Enum(
        CoordSystem,
        by_value=True,
        load_default=CoordSystem.WGS84,
        metadata={"description": "Coordinate system of service_area (default wgs84)"},
    )


class StationCreate(_Admin):
    code = Text(required=True, max_length=32, validate=_CODE)
    name = Text(required=True, max_length=100, validate=validate.Length(min=1))
    county_code = Text(required=True, max_length=32, validate=_CODE)
    county_name = Text(
        max_length=100,
        validate=validate.Length(min=1),
        metadata={"description": "Creates the county when its code is new"},
    )
    depot = fields.Nested(LocationIn, required=True)


class StationPatch(_Admin):
    """Admins change anything but the code; the station's supervisor the daily settings."""
