"""Plan and job schemas: inputs reject unknown fields, money is a string, geometry GeoJSON."""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import to_shape
from marshmallow import RAISE, Schema, fields, validate

from api.schema_fields import Day, Instant, LocalDateTime, Money, Text, UtcDateTime

MAX_COLLECTORS = 200


class PlanRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    date = Day(required=True, metadata={"description": "Station-local day to plan"})
    collector_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1)),
        load_default=None,
        validate=validate.Length(min=1, max=MAX_COLLECTORS),
        metadata={"description": "Plan only these collectors (default: all of the station)"},
    )
    include_absent = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
        load_default=list,
        validate=validate.Length(max=MAX_COLLECTORS),
        metadata={
            "description": "Plan these collectors even though an absence covers the day "
            "(the override for the day)"
        },
    )
    time_limit = fields.Float(
        load_default=30.0,
        allow_nan=False,
        validate=validate.Range(min=1, max=300),
        metadata={"description": "Seconds for travel times and search (1-300)"},
    )


class PlanJobSchema(Schema):
    id = fields.UUID(dump_only=True)
    kind = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    attempts = fields.Integer(dump_only=True)
    max_attempts = fields.Integer(dump_only=True)
    station_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = Instant(dump_only=True)
    started_at = Instant(dump_only=True, allow_none=True)
    finished_at = Instant(dump_only=True, allow_none=True)
    heartbeat_at = Instant(dump_only=True, allow_none=True)
    lease_until = Instant(dump_only=True, allow_none=True)
    error = fields.String(dump_only=True, allow_none=True)
    result = fields.Dict(dump_only=True, allow_none=True)
    request = fields.Dict(dump_only=True, attribute="payload")
    links = fields.Method("_links", dump_only=True)

    def _links(self, job: Any) -> dict[str, str]:
        out = {"self": f"/api/jobs/{job.id}"}
        plan_id = (job.result or {}).get("plan_id")
        if plan_id:
            out["plan"] = f"/api/plans/{plan_id}"
        return out


def linestring_geojson(geom: Any) -> dict[str, Any] | None:
    """A stored LINESTRING as a GeoJSON geometry (``[lon, lat]`` pairs)."""
    if geom is None:
        return None
    line = to_shape(geom)
    return {"type": "LineString", "coordinates": [[x, y] for x, y, *_ in line.coords]}


def _zone(stop: Any) -> str:
    return str(stop.route.plan.station.timezone)


class PlanStopSchema(Schema):
    id = fields.Integer(dump_only=True)
    seq = fields.Integer(dump_only=True)
    account_id = fields.Integer(dump_only=True)
    eta = UtcDateTime(dump_only=True)
    departure = UtcDateTime(dump_only=True)
    eta_local = LocalDateTime(
        _zone, lambda s: s.eta, dump_only=True, metadata={"description": "On the station's clock"}
    )
    departure_local = LocalDateTime(
        _zone,
        lambda s: s.departure,
        dump_only=True,
        metadata={"description": "On the station's clock"},
    )
    expected_value = Money(dump_only=True)
    mandatory = fields.Boolean(dump_only=True)
    locked = fields.Boolean(dump_only=True)
    explain = fields.Dict(dump_only=True)


class PlanRouteSchema(Schema):
    id = fields.Integer(dump_only=True)
    collector_id = fields.Integer(dump_only=True)
    travel_seconds = fields.Integer(dump_only=True)
    expected_value = Money(dump_only=True)
    path = fields.Method("_path", dump_only=True, metadata={"description": "GeoJSON LineString"})
    stops = fields.List(fields.Nested(PlanStopSchema), dump_only=True)

    def _path(self, route: Any) -> dict[str, Any] | None:
        return linestring_geojson(route.path)


class PlanBriefSchema(Schema):
    id = fields.Integer(dump_only=True)
    station_id = fields.Integer(dump_only=True)
    plan_date = Day(dump_only=True)
    version = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True)
    job_id = fields.UUID(dump_only=True, allow_none=True)
    created_at = UtcDateTime(dump_only=True)
    published_at = UtcDateTime(dump_only=True, allow_none=True)
    timezone = fields.String(
        attribute="station.timezone",
        dump_only=True,
        metadata={"description": "The station's zone: the plan's wall clock (times are UTC)"},
    )


class PlanSchema(PlanBriefSchema):
    check = fields.Dict(
        attribute="summary.check",
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "The version's verdict: feasible, violations, findings (by: "
            "planner for the optimiser's own, plan_check for a hand edit)"
        },
    )
    summary = fields.Dict(dump_only=True)
    routes = fields.List(fields.Nested(PlanRouteSchema), dump_only=True)


class CompactStopSchema(PlanStopSchema):
    class Meta:
        exclude = ("explain",)


class CompactRouteSchema(PlanRouteSchema):
    stops = fields.List(fields.Nested(CompactStopSchema), dump_only=True)


class CompactPlanSchema(PlanSchema):
    """For list views: no stop's explain, no route line; the summary without the value
    model, unassigned accounts counted by reason."""

    routes = fields.List(fields.Nested(CompactRouteSchema, exclude=("path",)), dump_only=True)


class PlanReadArgs(Schema):
    class Meta:
        unknown = RAISE

    compact = fields.Boolean(
        load_default=False,
        metadata={
            "description": "For list views: no stop's explain, no route line, no value model, "
            "the unassigned accounts counted by reason (unassigned_counts)"
        },
    )


class PublishSchema(Schema):
    class Meta:
        unknown = RAISE

    override_reason = Text(
        load_default=None,
        max_length=500,
        validate=validate.Length(min=3),
        metadata={
            "description": "Needed to publish a version the plan check found infeasible "
            "(kept with the publication)"
        },
    )


class PlanListArgs(Schema):
    class Meta:
        unknown = RAISE

    date = Day(load_default=None, metadata={"description": "Station-local day (default: today)"})
