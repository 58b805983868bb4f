"""The progress view: per route, stops done and left, outcomes, money, position, delay."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields

from api.schema_fields import Day, Money, UtcDateTime


class ProgressArgs(Schema):
    class Meta:
        unknown = RAISE

    date = Day(
        load_default=None,
        metadata={"description": "Station-local day (default: today there)"},
    )


class LastPositionSchema(Schema):
    lon = fields.Float()
    lat = fields.Float()
    at = UtcDateTime()
    source = fields.String(metadata={"description": "visit (its GPS fix) or replan (its position)"})


class StopProgressSchema(Schema):
    stop_id = fields.Integer()
    seq = fields.Integer()
    account_id = fields.Integer()
    eta = UtcDateTime()
    done = fields.Boolean(metadata={"description": "Visited by the route's collector this day"})
    outcome = fields.String(allow_none=True, metadata={"description": "The latest visit's"})
    visited_at = UtcDateTime(allow_none=True)
    paid_today = fields.Boolean(metadata={"description": "The account paid this day (any channel)"})


class RouteProgressSchema(Schema):
    route_id = fields.Integer()
    collector_id = fields.Integer()
    collector_name = fields.String()
    stops_total = fields.Integer()
    stops_done = fields.Integer()
    stops_left = fields.Integer()
    left_paid_elsewhere = fields.Integer(
        metadata={"description": "Stops left whose account paid this day through some channel"}
    )
    left_overdue = fields.Integer(
        metadata={"description": "Stops left whose planned arrival has passed"}
    )
    off_plan_visits = fields.Integer(
        metadata={"description": "The collector's visits this day to accounts off the route"}
    )
    outcomes = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Done stops by their latest visit's outcome"},
    )
    collected = fields.Dict(
        keys=fields.String(),
        values=Money(),
        metadata={
            "description": "Paid this day by the route's accounts, by channel "
            "(payments reversed since left out)"
        },
    )
    collected_total = Money()
    last_position = fields.Nested(LastPositionSchema, allow_none=True)
    delay_seconds = fields.Integer(
        allow_none=True,
        metadata={
            "description": "The latest done stop's visit time minus its planned arrival: "
            "positive behind the plan, negative ahead; null before the first visit"
        },
    )
    next_eta = UtcDateTime(allow_none=True, metadata={"description": "Earliest ETA left"})
    stops = fields.List(fields.Nested(StopProgressSchema))


class ProgressSchema(Schema):
    station_id = fields.Integer()
    date = Day()
    timezone = fields.String()
    plan_id = fields.Integer(allow_none=True, metadata={"description": "null: nothing published"})
    plan_version = fields.Integer(allow_none=True)
    published_at = UtcDateTime(allow_none=True)
    routes = fields.List(fields.Nested(RouteProgressSchema))
