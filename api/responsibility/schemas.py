"""Reassignment request and result; exactly one selector per call."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.accounts.schemas import Id
from api.pagination import KeysetArgs
from api.schema_fields import Day
from geo.coords import CoordSystem

MAX_IDS = 20_000


class ReassignRequest(Schema):
    station_id = Id(load_default=None)
    collector_id = Id(required=True)
    effective = Day(
        load_default=None, metadata={"description": "Station-local date; default today"}
    )
    territory_id = Id()
    account_ids = fields.List(Id(), validate=validate.Length(min=1, max=MAX_IDS))
    area = fields.Dict(metadata={"description": "GeoJSON Polygon/MultiPolygon selecting accounts"})
    system = fields.Enum(CoordSystem, by_value=True, load_default=CoordSystem.WGS84)

    @validates_schema
    def _one_selector(self, data: dict[str, Any], **_: Any) -> None:
        given = [k for k in ("territory_id", "account_ids", "area") if k in data]
        if len(given) != 1:
            raise ValidationError(
                "Give exactly one of territory_id, account_ids or area.", "_schema"
            )


class ReassignResult(Schema):
    collector_id = Id()
    effective = Day()
    changed = fields.Integer(metadata={"description": "Accounts that changed hands"})
    unchanged = fields.Integer(metadata={"description": "Accounts already with this collector"})


class OnDayArgs(KeysetArgs):
    on = Day(required=True)
    collector_id = Id()
