"""Route edit input (unknown fields refused) and the plan check output (money as strings)."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, post_load, validate

from api.plans.schemas import PlanJobSchema
from api.schema_fields import Instant, Money
from core.planning import RouteEdit, StopEdit

MAX_ROUTES = 200
MAX_STOPS = 300
_ID = validate.Range(min=1, max=2**31 - 1)


class StopEditSchema(Schema):
    class Meta:
        unknown = RAISE

    account_id = fields.Integer(required=True, strict=True, validate=_ID)
    locked = fields.Boolean(load_default=False, metadata={"description": "Keep on re-optimise"})


class RouteEditSchema(Schema):
    """One collector's desired stops, in visiting order."""

    class Meta:
        unknown = RAISE

    collector_id = fields.Integer(required=True, strict=True, validate=_ID)
    stops = fields.List(
        fields.Nested(StopEditSchema), required=True, validate=validate.Length(max=MAX_STOPS)
    )

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> RouteEdit:
        stops = tuple(StopEdit(s["account_id"], s["locked"]) for s in data["stops"])
        return RouteEdit(data["collector_id"], stops)


class ReoptimiseSchema(Schema):
    class Meta:
        unknown = RAISE

    time_limit = fields.Float(
        load_default=2.0,
        allow_nan=False,
        validate=validate.Range(min=0.5),
        metadata={
            "description": "Seconds for travel times and search, from 0.5 up to the configured "
            "PLAN_REOPTIMISE_MAX_TIME_LIMIT (default 10); the solve runs as a background job"
        },
    )


class ViolationSchema(Schema):
    kind = fields.String(metadata={"description": "time_window | shift | break"})
    detail = fields.String()
    minutes = fields.Integer(metadata={"description": "By how much, minutes"})


class CheckedStopSchema(Schema):
    seq = fields.Integer()
    account_id = fields.Integer()
    locked = fields.Boolean()
    mandatory = fields.Boolean()
    expected_value = Money()
    arrival = Instant()
    eta = Instant(metadata={"description": "Start of the visit"})
    departure = Instant()
    wait_s = fields.Integer(attribute="timed.wait_s")
    window = fields.Method(
        "_window", allow_none=True, metadata={"description": "Start window, local seconds"}
    )
    violations = fields.List(fields.Nested(ViolationSchema))
    explain = fields.Dict()

    def _window(self, s: Any) -> dict[str, int] | None:
        return None if s.window is None else {"start": s.window[0], "end": s.window[1]}


class CheckedRouteSchema(Schema):
    collector_id = fields.Integer()
    leaves_at = Instant()
    back_at = Instant()
    break_at = Instant(allow_none=True)
    travel_seconds = fields.Integer()
    expected_value = Money()
    violations = fields.List(fields.Nested(ViolationSchema))
    stops = fields.List(fields.Nested(CheckedStopSchema))


class LostSchema(Schema):
    account_id = fields.Integer()
    expected_value = fields.String()


class ValueReportSchema(Schema):
    baseline_plan_id = fields.Integer(metadata={"description": "The optimiser's version"})
    baseline = Money()
    kept = Money()
    lost = Money()
    added = Money()
    edited = Money()
    at_risk = Money(metadata={"description": "Value of stops with a violation"})
    delta = Money(metadata={"description": "edited - baseline (may be negative)"})
    lost_accounts = fields.List(fields.Nested(LostSchema))


class LeftOutSchema(Schema):
    account_id = fields.Integer()
    reason = fields.String()
    prize_fen = fields.Integer()
    mandatory = fields.Boolean()
    territory_id = fields.Integer(allow_none=True)
    responsible_id = fields.Integer(allow_none=True)
    collector_ids = fields.List(
        fields.Integer(), metadata={"description": "Who may take it on their route"}
    )


class PlanCheckSchema(Schema):
    plan_id = fields.Integer(allow_none=True, metadata={"description": "New version, if saved"})
    version = fields.Integer(allow_none=True)
    status = fields.String(allow_none=True)
    base_plan_id = fields.Integer(attribute="check.base_plan_id")
    feasible = fields.Boolean(attribute="check.feasible")
    violations = fields.Integer(attribute="check.violations")
    warnings = fields.List(fields.String(), attribute="check.warnings")
    travel = fields.String(attribute="check.travel")
    value = fields.Nested(ValueReportSchema, attribute="check.value")
    routes = fields.List(fields.Nested(CheckedRouteSchema), attribute="check.routes")
    left_out = fields.List(fields.Nested(LeftOutSchema), attribute="check.left_out")


class DroppedLockSchema(Schema):
    account_id = fields.Integer()
    reason = fields.String(metadata={"description": "no_arrears | outside_territory"})


class ReoptimiseJobSchema(PlanJobSchema):
    """The queued re-optimise job, and the locks that could not stay."""

    dropped_locks = fields.List(
        fields.Nested(DroppedLockSchema),
        attribute="payload.dropped_locks",
        dump_only=True,
        metadata={"description": "Locked stops not pinned, with the reason"},
    )
