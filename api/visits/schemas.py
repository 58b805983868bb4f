from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schema_fields import Day, Instant, Latitude, Longitude, Text
from core.models import Outcome
from geo.coords import CoordSystem

MAX_BATCH = 200


class FixSchema(Schema):
    lon = Longitude(required=True)
    lat = Latitude(required=True)
    accuracy_m = fields.Float(
        load_default=None, allow_nan=False, validate=validate.Range(0, 100_000)
    )
    crs = fields.Enum(
        CoordSystem,
        by_value=True,
        required=True,
        metadata={"description": "Coordinate system of lon/lat: wgs84, gcj02 or bd09"},
    )


class VisitSchema(Schema):
    id = fields.UUID(required=True, metadata={"description": "Minted by the phone; kept forever"})
    account_id = fields.Integer(required=True, strict=True)
    outcome = fields.Enum(Outcome, by_value=True, required=True)
    promise_date = Day(load_default=None)
    fix = fields.Nested(FixSchema, load_default=None)
    device_time = Instant(required=True)
    notes = Text(load_default=None, max_length=1000)
    device_id = Text(load_default=None, max_length=64)


class VisitBatchSchema(Schema):
    items = fields.List(
        fields.Raw(metadata={"type": "object"}),
        required=True,
        validate=validate.Length(min=1, max=MAX_BATCH),
    )


class VisitResultSchema(Schema):
    index = fields.Integer()
    id = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": ["created", "replayed"]})
    reason = fields.String(allow_none=True)
    errors = fields.Dict(allow_none=True)
