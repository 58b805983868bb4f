"""The phone's view of a route: stops in order, money as strings, geometry as GeoJSON."""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import to_shape
from marshmallow import RAISE, Schema, fields, validate

from api.plans.schemas import linestring_geojson
from api.schema_fields import (
    LOCATION_QUALITY_DOC,
    Day,
    Instant,
    Latitude,
    Longitude,
    Money,
    UtcDateTime,
)


class RouteDayArgs(Schema):
    class Meta:
        unknown = RAISE

    date = Day(load_default=None, metadata={"description": "Station-local day (default today)"})


class FieldAccountSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    name = fields.String()
    address = fields.String()
    phone = fields.String(allow_none=True)
    village = fields.String()
    category = fields.String()
    notes = fields.String(
        allow_none=True, metadata={"description": "The station's notes on the account"}
    )
    location = fields.Method("_location")
    location_quality = fields.String(
        metadata={"enum": ["exact", "approximate"], "description": LOCATION_QUALITY_DOC}
    )

    def _location(self, account: Any) -> dict[str, Any]:
        p = to_shape(account.location)
        return {"type": "Point", "coordinates": [p.x, p.y]}


class FieldDueSchema(Schema):
    as_of = Day()
    principal = Money()
    late_fee = Money()
    total = Money()


class FieldHistorySchema(Schema):
    visits = fields.Integer()
    by_outcome = fields.Dict(keys=fields.String(), values=fields.Integer())
    last_visit_at = Instant(allow_none=True)
    last_outcome = fields.String(allow_none=True)
    last_promise_date = Day(allow_none=True)
    escalation_stage = fields.String()
    oldest_days_overdue = fields.Integer()


class FieldStopSchema(Schema):
    id = fields.Integer(attribute="stop.id")
    seq = fields.Integer(attribute="stop.seq")
    eta = UtcDateTime(attribute="stop.eta")
    departure = UtcDateTime(attribute="stop.departure")
    eta_local = Instant(metadata={"description": "eta on the station's clock"})
    departure_local = Instant(metadata={"description": "departure on the station's clock"})
    mandatory = fields.Boolean(attribute="stop.mandatory")
    locked = fields.Boolean(attribute="stop.locked")
    expected_value = Money(attribute="stop.expected_value")
    explain = fields.Dict(
        attribute="stop.explain",
        metadata={
            "description": "How the planner valued the visit on the plan's day (valued_on): "
            "overdue_when_planned x p_pay x p_home x (1 - p_self)"
        },
    )
    settled = fields.Boolean(metadata={"description": "Paid since planning: skip the visit"})
    account = fields.Nested(FieldAccountSchema)
    amount_due = fields.Nested(
        FieldDueSchema,
        attribute="due",
        metadata={"description": "What the account owes as of as_of: every bill and late fee"},
    )
    history = fields.Nested(FieldHistorySchema)


class FieldRouteSchema(Schema):
    route_id = fields.Integer(attribute="route.id")
    plan_id = fields.Integer(attribute="plan.id")
    plan_version = fields.Integer(attribute="plan.version")
    plan_date = Day(attribute="plan.plan_date")
    published_at = UtcDateTime(attribute="plan.published_at", allow_none=True)
    timezone = fields.String(metadata={"description": "The station's zone (times are UTC)"})
    collector_id = fields.Integer(attribute="route.collector_id")
    travel_seconds = fields.Integer(attribute="route.travel_seconds")
    expected_value = Money(attribute="route.expected_value")
    as_of = Day()
    geometry = fields.Method("_geometry", metadata={"description": "GeoJSON LineString"})
    stops = fields.List(fields.Nested(FieldStopSchema))
    redacted = fields.Integer(
        metadata={
            "description": "Stops left out: their accounts left your scope since the plan "
            "was made (the route line is then withheld too)"
        }
    )

    def _geometry(self, fr: Any) -> dict[str, Any] | None:
        return linestring_geojson(fr.path)


class ReplanSchema(Schema):
    """Where I am now (WGS-84, as the phone's GNSS reports it)."""

    class Meta:
        unknown = RAISE

    lon = Longitude(required=True)
    lat = Latitude(required=True)
    coords = fields.String(
        load_default="wgs84",
        validate=validate.OneOf(["wgs84"]),
        metadata={"description": "Coordinate system; only wgs84 is accepted here"},
    )
    date = Day(load_default=None, metadata={"description": "Day (default today)"})
    # The collector waits at a door: the solver's share of an answer within 2 s. Valuing
    # the collector's accounts against the plan's kept priors takes ~0.3 s more; on the
    # demo county 1 s earns 99.98 % of what 3 s does (bench/replan_budget.py).
    time_limit = fields.Float(
        load_default=1.0,
        allow_nan=False,
        validate=validate.Range(min=1, max=60),
        metadata={"description": "Seconds for travel times and search (default 1)"},
    )
