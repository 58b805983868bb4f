"""Workload query arguments and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.accounts.schemas import Id
from api.schema_fields import Day, Money


class WorkloadArgs(Schema):
    station_id = Id(load_default=None)
    as_of = Day(load_default=None)


class BalanceArgs(WorkloadArgs):
    k = fields.Integer(required=True, validate=validate.Range(min=1, max=50))


class CollectorWorkloadSchema(Schema):
    collector_id = fields.Integer(
        allow_none=True, metadata={"description": "null: nobody responsible"}
    )
    display_name = fields.String(allow_none=True)
    accounts = fields.Integer()
    delinquent = fields.Integer()
    arrears = Money()
    visit_hours = fields.Float(
        metadata={"description": "Arrears-weighted visits + BHH travel estimate"}
    )
    spread_km = fields.Float(
        metadata={"description": "Largest distance between delinquent accounts"}
    )


class ProposalSchema(Schema):
    type = fields.String()
    features = fields.List(fields.Dict())
    max_min_ratio = fields.Float(allow_none=True)
