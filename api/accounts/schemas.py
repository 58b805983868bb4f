from __future__ import annotations

from typing import Any

from geoalchemy2.shape import to_shape
from marshmallow import Schema, fields


class PointSchema(Schema):
    lon = fields.Float(dump_only=True)
    lat = fields.Float(dump_only=True)


class AccountSchema(Schema):
    id = fields.Integer(dump_only=True)
    station_id = fields.Integer(dump_only=True)
    number = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    address = fields.String(dump_only=True)
    phone = fields.String(dump_only=True, allow_none=True)
    village = fields.String(dump_only=True)
    category = fields.String(dump_only=True)
    group_code = fields.String(dump_only=True, allow_none=True)
    territory_id = fields.Integer(dump_only=True, allow_none=True)
    responsible_id = fields.Integer(dump_only=True, allow_none=True)
    location = fields.Method("_location", dump_only=True)

    def _location(self, account: Any) -> dict[str, float]:
        point = to_shape(account.location)
        return {"lon": point.x, "lat": point.y}
