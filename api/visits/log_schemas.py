"""The visit log's query and rows (list and GeoJSON)."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from api.money.schemas import ID
from api.pagination import MAX_PAGE_SIZE
from api.schema_fields import Day, Text, UtcDateTime
from core.field.visit_log import MAX_RANGE_DAYS, VisitRow
from core.models import Outcome


class VisitLogArgs(Schema):
    class Meta:
        unknown = RAISE

    date_from = Day(
        load_default=None,
        metadata={"description": "First station-local day (default: 6 days before date_to)"},
    )
    date_to = Day(
        load_default=None,
        metadata={
            "description": f"Last station-local day (default today; at most {MAX_RANGE_DAYS} "
            "days after date_from)"
        },
    )
    station_id = fields.Integer(load_default=None, validate=ID)
    collector_id = fields.Integer(load_default=None, validate=ID)
    territory_id = fields.Integer(load_default=None, validate=ID)
    account_id = fields.Integer(load_default=None, validate=ID)
    village = Text(load_default=None, max_length=100)
    outcome = fields.List(
        fields.Enum(Outcome, by_value=True),
        load_default=list,
        metadata={"description": "Any of these outcomes (repeat the parameter)"},
    )
    plan_id = fields.Integer(
        load_default=None, validate=ID, metadata={"description": "Visits of this plan's stops"}
    )
    route_id = fields.Integer(
        load_default=None, validate=ID, metadata={"description": "Visits of this route's stops"}
    )
    flagged = fields.Boolean(
        load_default=None,
        metadata={"description": "Only visits whose fix is (true) / is not (false) flagged"},
    )
    cursor = Text(
        load_default=None,
        max_length=100,
        metadata={"description": "The X-Next-Cursor of the previous page"},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class VisitStopSchema(Schema):
    stop_id = fields.Integer()
    route_id = fields.Integer()
    plan_id = fields.Integer()
    seq = fields.Integer(attribute="stop_seq")
    eta = UtcDateTime(attribute="stop_eta")


class VisitFixSchema(Schema):
    lon = fields.Float(attribute="fix_lon")
    lat = fields.Float(attribute="fix_lat")
    accuracy_m = fields.Float(attribute="fix_accuracy_m", allow_none=True)


class VisitLogSchema(Schema):
    id = fields.UUID()
    account_id = fields.Integer()
    account_number = fields.String()
    account_name = fields.String()
    village = fields.String()
    territory_id = fields.Integer(allow_none=True)
    station_id = fields.Integer()
    collector_id = fields.Integer()
    collector_name = fields.String()
    outcome = fields.String()
    promise_date = Day(allow_none=True)
    device_time = UtcDateTime()
    server_time = UtcDateTime()
    local_date = Day(metadata={"description": "The visit's station-local day"})
    notes = fields.String(allow_none=True)
    fix = fields.Method("_fix", metadata={"description": "The GPS fix (WGS-84), null if none"})
    distance_m = fields.Float(
        allow_none=True, metadata={"description": "Metres from the fix to the account's location"}
    )
    flag_distance_m = fields.Integer(metadata={"description": "The station's flag distance"})
    flagged = fields.Boolean(metadata={"description": "The fix is farther than flag_distance_m"})
    stop = fields.Method(
        "_stop", metadata={"description": "The stop of the day's published plan it fulfilled"}
    )

    def _fix(self, row: VisitRow) -> Any:
        return None if row.fix_lon is None else VisitFixSchema().dump(row)

    def _stop(self, row: VisitRow) -> Any:
        return None if row.stop_id is None else VisitStopSchema().dump(row)


class VisitFeatureSchema(Schema):
    type = fields.String(dump_default="Feature")
    id = fields.String()
    geometry = fields.Dict(allow_none=True, metadata={"description": "The fix; null if none"})
    properties = fields.Nested(VisitLogSchema)


class VisitFeatureCollectionSchema(Schema):
    type = fields.String(dump_default="FeatureCollection")
    features = fields.List(fields.Nested(VisitFeatureSchema))


def visit_feature(row: VisitRow) -> dict[str, Any]:
    geometry = (
        None
        if row.fix_lon is None
        else {"type": "Point", "coordinates": [row.fix_lon, row.fix_lat]}
    )
    return {"type": "Feature", "id": str(row.id), "geometry": geometry, "properties": row}
