"""Pack query (unknown parameters refused) and the pack document (money as strings)."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from api.my_route.schemas import FieldAccountSchema, FieldHistorySchema
from api.schema_fields import Day, Instant, Money, UtcDateTime
from geo.coords import CoordSystem


class PackArgs(Schema):
    class Meta:
        unknown = RAISE

    date = Day(load_default=None, metadata={"description": "Station-local day (default today)"})
    crs = fields.String(
        load_default=CoordSystem.WGS84.value,
        validate=validate.OneOf([c.value for c in CoordSystem]),
        metadata={"description": "Coordinate system of the phone's map: wgs84, gcj02 or bd09"},
    )


def _lonlat(point: tuple[float, float]) -> dict[str, float]:
    return {"lon": point[0], "lat": point[1]}


class PackBillSchema(Schema):
    bill_id = fields.Integer()
    period = Day()
    due_date = Day()
    amount = Money()
    principal = Money()
    late_fee = Money()
    total = Money()
    days_overdue = fields.Integer()


class PackDueSchema(Schema):
    as_of = Day()
    principal = Money()
    late_fee = Money()
    total = Money()
    credit = Money()
    net = Money(metadata={"description": "total less unallocated credit"})
    bills = fields.List(fields.Nested(PackBillSchema))


class PackStopSchema(Schema):
    id = fields.Integer(attribute="stop.stop.id")
    seq = fields.Integer(attribute="stop.stop.seq")
    eta = UtcDateTime(attribute="stop.stop.eta")
    departure = UtcDateTime(attribute="stop.stop.departure")
    eta_local = Instant(
        attribute="stop.eta_local", metadata={"description": "eta on the station's clock"}
    )
    departure_local = Instant(
        attribute="stop.departure_local",
        metadata={"description": "departure on the station's clock"},
    )
    mandatory = fields.Boolean(attribute="stop.stop.mandatory")
    locked = fields.Boolean(attribute="stop.stop.locked")
    expected_value = Money(attribute="stop.stop.expected_value")
    explain = fields.Dict(attribute="stop.stop.explain")
    settled = fields.Boolean(attribute="stop.settled")
    account = fields.Nested(FieldAccountSchema, attribute="stop.account")
    amount_due = fields.Nested(PackDueSchema, attribute="stop.due")
    escalation_stage = fields.String(attribute="stop.history.escalation_stage")
    history = fields.Nested(FieldHistorySchema, attribute="stop.history")
    position = fields.Method(
        "_position", metadata={"description": "lon/lat in the pack's crs (for the map)"}
    )
    position_wgs84 = fields.Method("_wgs84")
    navigation = fields.Method("_navigation")

    def _position(self, s: Any) -> dict[str, float]:
        return _lonlat(s.position)

    def _wgs84(self, s: Any) -> dict[str, float]:
        return _lonlat(s.lonlat)

    def _navigation(self, s: Any) -> dict[str, str]:
        return {"amap": s.amap, "geo": s.geo}


class PackSchema(Schema):
    generated_at = UtcDateTime()
    content_hash = fields.String(
        dump_default="", metadata={"description": "SHA-256 of the body without generated_at"}
    )
    crs = fields.String()
    date = Day(attribute="route.as_of")
    plan_id = fields.Integer(attribute="route.plan.id")
    plan_version = fields.Integer(attribute="route.plan.version")
    published_at = UtcDateTime(attribute="route.plan.published_at", allow_none=True)
    timezone = fields.String(
        attribute="route.timezone", metadata={"description": "The station's zone (times are UTC)"}
    )
    route_id = fields.Integer(attribute="route.route.id")
    collector_id = fields.Integer(attribute="route.route.collector_id")
    travel_seconds = fields.Integer(attribute="route.route.travel_seconds")
    expected_value = Money(attribute="route.route.expected_value")
    total_due = fields.Method("_total_due", metadata={"description": "If every stop paid, yuan"})
    cash_in_hand = Money(allow_none=True, metadata={"description": "Field cash held, yuan"})
    geometry = fields.Method(
        "_geometry", metadata={"description": "GeoJSON LineString, WGS-84 (RFC 7946)"}
    )
    geometry_crs = fields.Method(
        "_geometry_crs", metadata={"description": "The same line's [lon, lat] in crs"}
    )
    stops = fields.List(fields.Nested(PackStopSchema))

    def _total_due(self, pack: Any) -> str:
        return f"{sum((s.due.total for s in pack.route.stops), 0):.2f}"

    def _geometry(self, pack: Any) -> dict[str, Any] | None:
        if not pack.path:
            return None
        return {"type": "LineString", "coordinates": [list(p) for p in pack.path]}

    def _geometry_crs(self, pack: Any) -> dict[str, Any] | None:
        if not pack.path_crs:
            return None
        return {"crs": pack.crs.value, "coordinates": [list(p) for p in pack.path_crs]}
