"""Tile query arguments (unknown ones refused) and the TileJSON document."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from api.schema_fields import Day

MAX_INT = 2**31 - 1


class TileArgs(Schema):
    class Meta:
        unknown = RAISE

    date = Day(
        load_default=None,
        metadata={"description": "Station-local day of arrears, routes, positions (default today)"},
    )
    station_id = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=MAX_INT),
        metadata={
            "description": "Only this station's features (one of the caller's; any for an "
            "admin): a dashboard showing one station"
        },
    )
    plan = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=MAX_INT),
        metadata={"description": "routes, stops: this plan version, not the day's published one"},
    )


class VectorLayerSchema(Schema):
    id = fields.String()
    description = fields.String()
    minzoom = fields.Integer()
    maxzoom = fields.Integer()
    fields_ = fields.Dict(keys=fields.String(), values=fields.String(), data_key="fields")


class TileJSONSchema(Schema):
    """TileJSON 3.0.0 (https://github.com/mapbox/tilejson-spec)."""

    tilejson = fields.String()
    name = fields.String()
    description = fields.String()
    scheme = fields.String()
    tiles = fields.List(fields.String())
    minzoom = fields.Integer()
    maxzoom = fields.Integer()
    bounds = fields.List(fields.Float())
    center = fields.List(fields.Float())
    vector_layers = fields.List(fields.Nested(VectorLayerSchema))
